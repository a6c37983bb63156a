/** Image references: is it pinned by tag or digest? */

/** How an image reference is pinned: by `digest`, by a version `tag`, by `latest`, or not at all (`none`). */
export type Pinning = "digest" | "tag" | "latest" | "none";

export function pinningOf(image: string): Pinning {
  if (/^sha256:[a-f0-9]{64}$/.test(image) || /@sha256:[a-f0-9]{64}$/.test(image)) return "digest";
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return "none";
  const tag = lastSegment.slice(colon + 1);
  return tag === "latest" ? "latest" : "tag";
}

/** Why the image is not pinned enough, as the end of a sentence, or undefined when it is. */
export function pinningProblem(image: string, requireDigest: boolean): string | undefined {
  switch (pinningOf(image)) {
    case "none":
      return `image \`${image}\` has no tag. Pin it to a version tag or a digest.`;
    case "latest":
      return `image \`${image}\` uses \`:latest\`. Pin it to a version tag or a digest.`;
    case "tag":
      return requireDigest ? `image \`${image}\` must be pinned by digest in this stack. Use \`${image.replace(/:[^:/]*$/, "")}@sha256:<digest>\`.` : undefined;
    case "digest":
      return undefined;
  }
}
