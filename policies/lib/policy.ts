/** Small helpers shared by the rules: type filtering with the SDK's fast not-applicable path, and config. */
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/**
 * A `validateResource` that runs `check` only on resources of the given Pulumi types. With one type the function
 * carries `__pulumiType`, so the SDK's dispatch skips other resources as not applicable without calling it.
 */
export function forTypes(types: readonly string[], check: (args: ResourceValidationArgs, report: ReportViolation) => void): ResourceValidation {
  const fn: ResourceValidation = (args, report) => {
    if (!types.includes(args.type)) {
      args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
      return;
    }
    check(args, report);
  };
  if (types.length === 1) (fn as unknown as { __pulumiType: string }).__pulumiType = types[0]!;
  return fn;
}

/** The policy's config from the pack config, each unset field taking its default. */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  const given = args.getConfig<Partial<T>>();
  const merged = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    const value = given[key];
    if (value !== undefined && value !== null) merged[key] = value as T[keyof T];
  }
  return merged;
}
