#!/usr/bin/env node
// Removes the current package's dist/ before `prepack` rebuilds it with `tsc -b`, so a tarball never carries the
// output of a source file that no longer exists (tsc -b neither removes nor reports such stale files).
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
