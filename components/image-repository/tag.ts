import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const SKIPPED = new Set(["node_modules", ".git", "dist", ".local"]);

/**
 * A content tag for an image: the first 16 hex digits of a SHA-256 over every file (path and
 * bytes) under `paths`, relative to `root`. Same inputs, same tag; any change, a new tag (ECR tags
 * are immutable). Missing paths are hashed as absent.
 */
export function contentTag(root: string, paths: readonly string[]): string {
  const hash = createHash("sha256");
  const visit = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) {
      hash.update(`absent:${path}\n`);
      return;
    }
    if (statSync(full).isDirectory()) {
      for (const entry of readdirSync(full).sort()) if (!SKIPPED.has(entry)) visit(join(path, entry));
      return;
    }
    hash.update(`file:${relative(root, full)}\n`);
    hash.update(readFileSync(full));
  };
  for (const path of [...paths].sort()) visit(path);
  return hash.digest("hex").slice(0, 16);
}
