// Flat ESLint config: typescript-eslint for every TypeScript file, the vitest plugin for tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import vitest from "@vitest/eslint-plugin";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", ".tmp/**", "out/**", "dist/**", "**/*.generated.*", "monitoring/dashboards/generated/**", "coverage/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", URL: "readonly", AbortController: "readonly", fetch: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      "vitest/valid-expect": "error",
      "vitest/expect-expect": "error",
      "vitest/no-focused-tests": "error",
      "vitest/no-identical-title": "error",
    },
  },
  {
    // Library code logs through the structured logger; CLIs and benches may print.
    files: ["gateway/src/**/*.ts", "components/**/*.ts", "servers/**/*.ts", "policies/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-console": "error" },
  },
);
