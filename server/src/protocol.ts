// The custom requests between the editor and the language server, declared once. Types only: the client
// (a separate TypeScript project) imports this module and nothing else from the server.

/** `whamm/sites`: where each probe of a script lands in an app, without running it. */
export const SITES_REQUEST = 'whamm/sites';

export interface SitesParams {
    /** Absolute path of the app (.wasm). */
    app: string;
    /** The script's text (may be unsaved). */
    script: string;
    /** The script's file path, for messages. */
    scriptPath?: string;
    /** User libraries, name -> absolute .wasm path. */
    userLibs?: Record<string, string>;
    /** At most this many sites listed per probe (counts are always exact). Default 1000. */
    limit?: number;
    /** Extra directories to look for sources a source map names relatively. */
    searchRoots?: string[];
}

export interface SiteLocation { fid: number; fname: string; pc: number; offset: number; rule: string; file?: string; line?: number; column?: number }

export interface ProbeSites {
    index: number;
    rule: string;
    /** 0-based position of the probe's rule in the script. */
    line: number;
    character: number;
    count: number;
    sites: SiteLocation[];
}

/** How sites are mapped to source lines. */
export type MappingKind = 'dwarf' | 'sourcemap' | 'none';

export interface SitesResult {
    probes: ProbeSites[];
    mapping: MappingKind;
    /** Why no sites could be computed (script errors, unreadable app); probes is empty then. */
    error?: string;
}
