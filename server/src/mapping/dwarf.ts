// Our own .debug_line reader (DWARF 2-5 line programs) and the address -> line table built from it.
// For Wasm, DWARF addresses are offsets from the start of the Code section's contents.
import { ByteReader, DecodeError } from './byte-reader.js';
import { type CompUnitInfo, type DebugSections, readCompUnits, readForm } from './dwarf-info.js';
import { isAbsolutePath, joinPath } from './dwarf-paths.js';

export type { DebugSections } from './dwarf-info.js';

export interface LineFile {
    /** Absolute where the unit's comp_dir (or the name itself) allows, else as `source`. */
    file: string;
    /** The include directory + name as the debug info spells them (relative to comp_dir when so written). */
    source: string;
}

/**
 * All rows of all sequences, sorted by address. A row covers [addr[i], addr[i+1]); `file[i] === -1`
 * marks the end of a sequence (the address after its last instruction), so the gap up to the next
 * sequence maps to nothing. `line[i] === 0` is DWARF's "no source line".
 */
export interface LineTable {
    addr: Uint32Array;
    line: Uint32Array;
    column: Uint32Array;
    file: Int32Array;
    isStmt: Uint8Array;
    files: LineFile[];
    units: number;
}

// Standard opcodes.
const LNS_copy = 1, LNS_advance_pc = 2, LNS_advance_line = 3, LNS_set_file = 4, LNS_set_column = 5,
    LNS_negate_stmt = 6, LNS_set_basic_block = 7, LNS_const_add_pc = 8, LNS_fixed_advance_pc = 9,
    LNS_set_prologue_end = 10, LNS_set_epilogue_begin = 11, LNS_set_isa = 12;
// Extended opcodes.
const LNE_end_sequence = 1, LNE_set_address = 2, LNE_define_file = 3, LNE_set_discriminator = 4;
// v5 entry content types.
const LNCT_path = 1, LNCT_directory_index = 2;

/**
 * Addresses the linker gives to code it discarded (functions removed by --gc-sections keep their
 * debug info): 0 in older lld, -1 / -2 in newer. No instruction lives at Code-section offset 0 or 1
 * (the function count and the first body size come first), so such sequences are dropped.
 */
function isTombstone(address: number): boolean {
    return address < 2 || address >= 0xfffffffe;
}

class RowSink {
    addr: number[] = [];
    line: number[] = [];
    column: number[] = [];
    file: number[] = [];
    isStmt: number[] = [];
    /** Sequences as [firstRow, rowCountIncludingEnd] into the arrays above. */
    sequences: [number, number][] = [];
    private seqStart = 0;

    row(addr: number, line: number, column: number, file: number, isStmt: boolean): void {
        this.addr.push(addr);
        this.line.push(line);
        this.column.push(column);
        this.file.push(file);
        this.isStmt.push(isStmt ? 1 : 0);
    }

    endSequence(addr: number): void {
        this.row(addr, 0, 0, -1, false);
        const first = this.seqStart;
        const count = this.addr.length - first;
        if (!isTombstone(this.addr[first])) this.sequences.push([first, count]);
        this.seqStart = this.addr.length;
    }

    /** Drops rows of a sequence the program never ended (malformed unit). */
    abandon(): void {
        for (const a of [this.addr, this.line, this.column, this.file, this.isStmt]) a.length = this.seqStart;
    }

    build(files: LineFile[], units: number): LineTable {
        const seqs = this.sequences.slice().sort((a, b) => this.addr[a[0]] - this.addr[b[0]]);
        let n = 0;
        for (const [, c] of seqs) n += c;
        const t: LineTable = {
            addr: new Uint32Array(n), line: new Uint32Array(n), column: new Uint32Array(n),
            file: new Int32Array(n), isStmt: new Uint8Array(n), files, units,
        };
        let k = 0;
        for (const [first, count] of seqs) {
            for (let i = first; i < first + count; i++, k++) {
                t.addr[k] = this.addr[i];
                t.line[k] = this.line[i];
                t.column[k] = this.column[i];
                t.file[k] = this.file[i];
                t.isStmt[k] = this.isStmt[i];
            }
        }
        return t;
    }
}

interface EntryFormat { type: number; form: number }

/** Interns files across units so that the same resolved path is one file id. */
class FileTable {
    readonly files: LineFile[] = [];
    private readonly ids = new Map<string, number>();

    id(file: string, source: string): number {
        let id = this.ids.get(file);
        if (id === undefined) {
            id = this.files.length;
            this.files.push({ file, source });
            this.ids.set(file, id);
        }
        return id;
    }
}

/** One line-program unit: parses its header and runs its program into `sink`. */
function readLineUnit(r: ByteReader, sections: DebugSections, cu: CompUnitInfo | undefined, files: FileTable, sink: RowSink, warnings: string[]): void {
    const unitStart = r.pos;
    let unitLength = r.u32();
    let offsetSize = 4;
    if (unitLength === 0xffffffff) { unitLength = r.u64(); offsetSize = 8; }
    let unitEnd = r.pos + unitLength;
    if (unitEnd > r.end) {
        // A truncated section: keep the sequences that are complete.
        warnings.push(`.debug_line unit at 0x${unitStart.toString(16)} runs past the end of the section; read up to the end`);
        unitEnd = r.end;
    }
    const version = r.u16();
    if (version < 2 || version > 5) throw new DecodeError(`unsupported .debug_line version ${version}`, unitStart);
    let addressSize = cu?.addressSize ?? 4;
    if (version >= 5) {
        addressSize = r.u8();
        r.u8(); // segment_selector_size
    }
    const headerLength = r.uN(offsetSize);
    const programStart = r.pos + headerLength;
    const minInstLength = r.u8();
    const maxOpsPerInst = version >= 4 ? r.u8() || 1 : 1;
    const defaultIsStmt = r.u8() !== 0;
    const lineBase = (r.u8() << 24) >> 24;
    const lineRange = r.u8();
    const opcodeBase = r.u8();
    if (lineRange === 0) throw new DecodeError('line_range is 0', unitStart);
    const standardLengths: number[] = [0];
    for (let i = 1; i < opcodeBase; i++) standardLengths.push(r.u8());

    const ctx = { offsetSize, addressSize, version, sections };
    let compDir = cu?.compDir;
    // Directory and file names as written, and the index that means "the compilation directory".
    const dirs: string[] = [];
    const fileIds: number[] = [];
    const resolve = (name: string, dirIndex: number): number => {
        // DWARF 5 repeats comp_dir as directory 0; DWARF 2-4 leave index 0 implicit.
        const dirName = version >= 5 ? dirs[dirIndex] : dirIndex === 0 ? undefined : dirs[dirIndex - 1];
        const isCompDir = dirIndex === 0;
        const source = isCompDir && !isAbsolutePath(name) ? joinPath(undefined, name) : joinPath(dirName, name);
        const base = isCompDir ? compDir : dirName;
        let file = joinPath(base, name);
        if (!isAbsolutePath(file) && compDir && isAbsolutePath(compDir)) file = joinPath(compDir, file);
        return files.id(file, source);
    };

    if (version >= 5) {
        const readEntries = (what: string): { path?: string; dir: number }[] => {
            const formatCount = r.u8();
            const formats: EntryFormat[] = [];
            for (let i = 0; i < formatCount; i++) formats.push({ type: r.uleb(), form: r.uleb() });
            const count = r.uleb();
            // Every entry takes at least one byte; a larger count is corrupt (and would spin for ages).
            if (count > r.end - r.pos) throw new DecodeError(`${what} count ${count} exceeds the unit`, r.pos);
            const out: { path?: string; dir: number }[] = [];
            for (let i = 0; i < count; i++) {
                const e: { path?: string; dir: number } = { dir: 0 };
                for (const f of formats) {
                    const v = readForm(r, f.form, ctx);
                    if (f.type === LNCT_path) {
                        if (v.kind === 'str') e.path = v.value;
                        else if (v.kind === 'strx') throw new DecodeError(`${what} path uses DW_FORM_strx, not supported in line tables`, r.pos);
                    } else if (f.type === LNCT_directory_index && v.kind === 'num') {
                        e.dir = v.value;
                    }
                }
                out.push(e);
            }
            return out;
        };
        for (const d of readEntries('directory')) dirs.push(d.path ?? '');
        if (dirs[0]) compDir = dirs[0];
        for (const f of readEntries('file')) fileIds.push(resolve(f.path ?? '', f.dir));
    } else {
        for (;;) {
            const d = r.cstring();
            if (d === '') break;
            dirs.push(d);
        }
        for (;;) {
            const name = r.cstring();
            if (name === '') break;
            const dir = r.uleb();
            r.uleb(); // mtime
            r.uleb(); // length
            fileIds.push(resolve(name, dir));
        }
    }
    // DWARF 2-4 number files from 1, DWARF 5 from 0.
    const fileBase = version >= 5 ? 0 : 1;
    const fileId = (index: number): number => {
        const id = fileIds[index - fileBase];
        if (id === undefined) throw new DecodeError(`file index ${index} out of range`, r.pos);
        return id;
    };

    r.pos = programStart;
    r.end = unitEnd;
    // State machine registers.
    let address = 0, opIndex = 0, file = 1, line = 1, column = 0, isStmt = defaultIsStmt;
    const reset = (): void => {
        address = 0; opIndex = 0; file = 1; line = 1; column = 0; isStmt = defaultIsStmt;
    };
    const advance = (operationAdvance: number): void => {
        if (maxOpsPerInst === 1) {
            address += minInstLength * operationAdvance;
        } else {
            address += minInstLength * Math.floor((opIndex + operationAdvance) / maxOpsPerInst);
            opIndex = (opIndex + operationAdvance) % maxOpsPerInst;
        }
    };
    const emit = (): void => sink.row(address >>> 0, line, column, fileId(file), isStmt);
    const constAddPc = Math.floor((255 - opcodeBase) / lineRange);
    reset();
    try {
        while (r.pos < unitEnd) {
            const op = r.u8();
            if (op >= opcodeBase) {
                const adjusted = op - opcodeBase;
                advance(Math.floor(adjusted / lineRange));
                line += lineBase + (adjusted % lineRange);
                emit();
            } else if (op === 0) {
                const len = r.uleb();
                const next = r.pos + len;
                if (len === 0) continue;
                const sub = r.u8();
                switch (sub) {
                    case LNE_end_sequence:
                        sink.endSequence(address >>> 0);
                        reset();
                        break;
                    case LNE_set_address:
                        address = r.uN(len - 1);
                        opIndex = 0;
                        break;
                    case LNE_define_file: {
                        const name = r.cstring();
                        const dir = r.uleb();
                        fileIds.push(resolve(name, dir));
                        break;
                    }
                    case LNE_set_discriminator:
                        break;
                    default:
                        break; // vendor extensions: skipped by length
                }
                r.pos = next;
            } else {
                switch (op) {
                    case LNS_copy: emit(); break;
                    case LNS_advance_pc: advance(r.uleb()); break;
                    case LNS_advance_line: line += r.sleb(); break;
                    case LNS_set_file: file = r.uleb(); break;
                    case LNS_set_column: column = r.uleb(); break;
                    case LNS_negate_stmt: isStmt = !isStmt; break;
                    case LNS_set_basic_block: case LNS_set_prologue_end: case LNS_set_epilogue_begin: break;
                    case LNS_const_add_pc: advance(constAddPc); break;
                    case LNS_fixed_advance_pc: address += r.u16(); opIndex = 0; break;
                    case LNS_set_isa: r.uleb(); break;
                    default:
                        // An opcode this reader does not know: the header says how many LEB operands it has.
                        for (let i = 0; i < standardLengths[op]; i++) r.uleb();
                }
            }
        }
    } finally {
        sink.abandon();
        r.end = r.bytes.length;
        r.pos = unitEnd;
    }
}

/** Reads every line-program unit of `.debug_line`; bad units add a warning and are skipped. */
export function readLineTable(sections: DebugSections, warnings: string[]): LineTable {
    const sink = new RowSink();
    const files = new FileTable();
    const units = readCompUnits(sections, warnings);
    let count = 0;
    if (sections.line) {
        const r = new ByteReader(sections.line);
        while (r.pos + 4 <= sections.line.length) {
            const start = r.pos;
            try {
                readLineUnit(r, sections, units.get(start), files, sink, warnings);
                count++;
            } catch (e) {
                warnings.push(`.debug_line unit at 0x${start.toString(16)}: ${(e as Error).message}`);
                // Resume at the next unit when the length field was readable, else give up.
                const len = start + 4 <= sections.line.length ? new DataView(sections.line.buffer, sections.line.byteOffset + start).getUint32(0, true) : 0;
                if (len === 0 || len === 0xffffffff || start + 4 + len > sections.line.length) break;
                r.pos = start + 4 + len;
            }
        }
    }
    return sink.build(files.files, count);
}

/** Index of the row whose range holds `address`, or -1. */
export function findRow(t: LineTable, address: number): number {
    const a = t.addr;
    let lo = 0, hi = a.length - 1, found = -1;
    while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid] <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (found < 0 || t.file[found] < 0 || t.line[found] === 0) return -1;
    return found;
}
