// What a name in a script resolves to. The engine compiles from these: `kind` says where a value lives.
import type { FnDef, Param, Probe, Use, VarDecl } from '../language/generated/ast.js';
import type { TypeBound } from '../language/rule-parser.js';
import type { BuiltinConst, BuiltinFn } from './builtins.js';
import type { BoundFnDef, BoundVarDef } from './catalog-view.js';
import type { Type } from './types.js';

/** A script variable. `global`: one instance; `report`: flushed at the end (per site inside a probe);
 *  `unshared`: one instance per match site; `local`: re-initialised at every execution; `param`: fn param. */
export interface VarSymbol {
    kind: 'global' | 'report' | 'unshared' | 'local' | 'param';
    name: string;
    type: Type;
    decl: VarDecl | Param;
    /** One instance per match site (`unshared`, and `report` inside a probe). */
    perSite: boolean;
    /** The probe or function whose body declares it; undefined at script level. */
    owner?: Probe | FnDef;
}

export interface FnSymbol { kind: 'function'; name: string; decl: FnDef; params: Type[]; result: Type }
export interface LibSymbol { kind: 'library'; name: string; decl: Use }

/** A bound variable of the probe's events (`fid`, `arg0`, `effective_addr`, ...). */
export interface BoundSymbol {
    kind: 'bound';
    name: string;
    type: Type;
    /** Known at instrumentation time at every matched site. */
    isStatic: boolean;
    /** Catalog definitions it came from (one per matched event providing it; empty for a type-bound only name). */
    defs: BoundVarDef[];
    /** The rule's type bound that gave its type (`arg0: i32`), if any. */
    typeBound?: TypeBound;
}

export interface BoundFnSymbol { kind: 'bound-fn'; name: string; def: BoundFnDef }
export interface BuiltinSymbol { kind: 'builtin'; name: string; type: Type; def: BuiltinConst }
export interface BuiltinFnSymbol { kind: 'builtin-fn'; name: string; def: BuiltinFn }
/** `lib.fn(...)`: an export of a user library; `signature` when the library's exports are known. */
export interface LibFnSymbol { kind: 'lib-fn'; lib: LibSymbol; name: string; signature?: LibFnSignature }
export interface StringMethodSymbol { kind: 'string-method'; name: string; def: BuiltinFn }

export type ScriptSymbol = VarSymbol | FnSymbol | LibSymbol | BoundSymbol | BoundFnSymbol | BuiltinSymbol
    | BuiltinFnSymbol | LibFnSymbol | StringMethodSymbol;

export interface LibFnSignature { params: Type[]; results: Type[] }
/** Library name -> export name -> signature (from the library's .wasm, given by the CLI/engine). */
export type UserLibs = Record<string, Record<string, LibFnSignature>>;
