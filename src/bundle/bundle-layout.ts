/**
 * Where a run folder keeps its bundle (what `dmdc verify` re-judges) and what bundle/meta.json says: shared
 * by the writer and the verifier, so neither spells a path the other does not.
 */
export const BUNDLE_DIR = 'bundle';
/**
 * The lab's part of the bundle: the flows as judged, with the secrets the digest, MAC and nonce checks need to
 * judge them again. Every other file of a run folder is without them; a lab hands a customer the folder
 * without this one, and `dmdc verify` then checks the manifest only.
 */
export const PRIVATE_DIR = `${BUNDLE_DIR}/private`;
export const FLOWS_FILE = `${PRIVATE_DIR}/flows.json`;
export const CONFIG_FILE = `${BUNDLE_DIR}/config.json`;
export const META_FILE = `${BUNDLE_DIR}/meta.json`;
export const REPORT_FILE = 'report.json';

/** bundle/meta.json: what judged the run, so a later re-judge can say what changed since. */
export interface BundleMeta {
  bundleVersion: 1;
  runId: string;
  harness: {
    name: 'dmdc';
    version: string;
    /** HEAD of the harness's own git checkout; absent when it is not one (an installed package). */
    gitCommit?: string;
    /** Tracked files of that checkout differed from the commit: the judge was not exactly that commit. */
    gitDirty?: boolean;
  };
  catalogue: {
    version: string;
    /** SHA-256 (hex) of the catalogue file's bytes. */
    sha256: string;
    /** The file, from the package root when it lies inside it. */
    file: string;
  };
  /** The run's --only selection: a re-judge applies the same one. */
  only?: string;
  /**
   * Per flow, the requirement ids it was judged against, where that was not the whole selection for every
   * flow (--rerun-failed): a re-judge judges the same ids.
   */
  requirementsByFlow?: Record<string, string[]>;
  node: string;
  createdAt: string;
}
