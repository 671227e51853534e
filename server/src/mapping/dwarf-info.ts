// Just enough of .debug_info / .debug_abbrev to learn, per compilation unit, its name, its compilation
// directory and where its line program is (DW_AT_stmt_list). DWARF 4 line tables name files relative
// to the CU's comp_dir without saying what it is, so resolving them needs this. Only the first DIE of
// each unit (the compile unit itself) is read.
import { ByteReader, DecodeError, stringAt } from './byte-reader.js';

export interface DebugSections {
    line?: Uint8Array;
    info?: Uint8Array;
    abbrev?: Uint8Array;
    str?: Uint8Array;
    lineStr?: Uint8Array;
    strOffsets?: Uint8Array;
}

export interface CompUnitInfo {
    name?: string;
    compDir?: string;
    stmtList?: number;
    version: number;
    addressSize: number;
}

const DW_AT_name = 0x03, DW_AT_stmt_list = 0x10, DW_AT_comp_dir = 0x1b, DW_AT_str_offsets_base = 0x72;

// Forms (DWARF 2-5 plus the GNU extensions clang and gcc emit).
export const FORM = {
    addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
    block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
    ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
    flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
    ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25,
    strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
    GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** What one attribute value is: a number, a string already looked up, or a string index (strx). */
export type FormValue = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'strx'; index: number } | { kind: 'none' };

export interface FormContext {
    offsetSize: number;
    addressSize: number;
    version: number;
    sections: DebugSections;
}

/** Reads (or skips) one attribute value of form `form`. */
export function readForm(r: ByteReader, form: number, ctx: FormContext, implicitConst = 0): FormValue {
    const num = (value: number): FormValue => ({ kind: 'num', value });
    switch (form) {
        case FORM.addr: return num(r.uN(ctx.addressSize));
        case FORM.data1: case FORM.ref1: case FORM.flag: case FORM.addrx1: return num(r.u8());
        case FORM.data2: case FORM.ref2: case FORM.addrx2: return num(r.u16());
        case FORM.addrx3: return num(r.u24());
        case FORM.data4: case FORM.ref4: case FORM.ref_sup4: case FORM.addrx4: return num(r.u32());
        case FORM.data8: case FORM.ref8: case FORM.ref_sig8: case FORM.ref_sup8: return num(r.u64());
        case FORM.data16: r.skip(16); return { kind: 'none' };
        case FORM.sdata: return num(r.sleb());
        case FORM.udata: case FORM.ref_udata: case FORM.addrx: case FORM.loclistx: case FORM.rnglistx:
        case FORM.GNU_addr_index:
            return num(r.uleb());
        case FORM.string: return { kind: 'str', value: r.cstring() };
        case FORM.strp: return { kind: 'str', value: stringAt(ctx.sections.str, r.uN(ctx.offsetSize), '.debug_str') };
        case FORM.line_strp: return { kind: 'str', value: stringAt(ctx.sections.lineStr, r.uN(ctx.offsetSize), '.debug_line_str') };
        case FORM.strp_sup: case FORM.GNU_strp_alt: case FORM.GNU_ref_alt: r.skip(ctx.offsetSize); return { kind: 'none' };
        case FORM.strx: case FORM.GNU_str_index: return { kind: 'strx', index: r.uleb() };
        case FORM.strx1: return { kind: 'strx', index: r.u8() };
        case FORM.strx2: return { kind: 'strx', index: r.u16() };
        case FORM.strx3: return { kind: 'strx', index: r.u24() };
        case FORM.strx4: return { kind: 'strx', index: r.u32() };
        case FORM.ref_addr: return num(r.uN(ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize));
        case FORM.sec_offset: return num(r.uN(ctx.offsetSize));
        case FORM.block1: r.skip(r.u8()); return { kind: 'none' };
        case FORM.block2: r.skip(r.u16()); return { kind: 'none' };
        case FORM.block4: r.skip(r.u32()); return { kind: 'none' };
        case FORM.block: case FORM.exprloc: r.skip(r.uleb()); return { kind: 'none' };
        case FORM.flag_present: return num(1);
        case FORM.implicit_const: return num(implicitConst);
        case FORM.indirect: return readForm(r, r.uleb(), ctx, implicitConst);
        default: throw new DecodeError(`unknown DWARF form 0x${form.toString(16)}`, r.pos);
    }
}

interface AbbrevDecl {
    tag: number;
    attrs: { at: number; form: number; implicitConst: number }[];
}

function readAbbrevTable(abbrev: Uint8Array, offset: number): Map<number, AbbrevDecl> {
    const table = new Map<number, AbbrevDecl>();
    const r = new ByteReader(abbrev, offset);
    for (;;) {
        const code = r.uleb();
        if (code === 0) break;
        const tag = r.uleb();
        r.u8(); // has_children
        const attrs: AbbrevDecl['attrs'] = [];
        for (;;) {
            const at = r.uleb(), form = r.uleb();
            if (at === 0 && form === 0) break;
            attrs.push({ at, form, implicitConst: form === FORM.implicit_const ? r.sleb() : 0 });
        }
        table.set(code, { tag, attrs });
    }
    return table;
}

/** The string `index` of a unit's string-offsets table (DW_FORM_strx*). */
function strx(sections: DebugSections, base: number, index: number, offsetSize: number): string {
    if (!sections.strOffsets) throw new DecodeError('DW_FORM_strx without .debug_str_offsets', index);
    const r = new ByteReader(sections.strOffsets, base + index * offsetSize);
    return stringAt(sections.str, r.uN(offsetSize), '.debug_str');
}

/**
 * Every compilation unit's name / comp_dir / stmt_list, keyed by stmt_list (the offset of its line
 * program in .debug_line). Units that cannot be read add a warning and are skipped.
 */
export function readCompUnits(sections: DebugSections, warnings: string[]): Map<number, CompUnitInfo> {
    const units = new Map<number, CompUnitInfo>();
    const { info, abbrev } = sections;
    if (!info || !abbrev) return units;
    const abbrevCache = new Map<number, Map<number, AbbrevDecl>>();
    const r = new ByteReader(info);
    while (!r.atEnd) {
        const unitStart = r.pos;
        let unitEnd: number;
        let offsetSize = 4;
        try {
            let length = r.u32();
            if (length === 0xffffffff) { length = r.u64(); offsetSize = 8; }
            unitEnd = r.pos + length;
            if (length < 2 || unitEnd > info.length) throw new DecodeError('unit length past the end of .debug_info', unitStart);
        } catch (e) {
            warnings.push(`.debug_info: ${(e as Error).message}; the rest of the section is ignored`);
            break;
        }
        try {
            const version = r.u16();
            let addressSize: number, abbrevOffset: number;
            if (version >= 5) {
                const unitType = r.u8();
                addressSize = r.u8();
                abbrevOffset = r.uN(offsetSize);
                if (unitType === 4 || unitType === 5) r.skip(8); // skeleton / split_compile: dwo_id
                else if (unitType !== 1 && unitType !== 3) { r.pos = unitEnd; continue; } // type units
            } else if (version >= 2) {
                abbrevOffset = r.uN(offsetSize);
                addressSize = r.u8();
            } else {
                throw new DecodeError(`unsupported .debug_info version ${version}`, unitStart);
            }
            let table = abbrevCache.get(abbrevOffset);
            if (!table) { table = readAbbrevTable(abbrev, abbrevOffset); abbrevCache.set(abbrevOffset, table); }
            const code = r.uleb();
            const decl = table.get(code);
            if (!decl) throw new DecodeError(`unknown abbreviation code ${code}`, r.pos);
            const ctx: FormContext = { offsetSize, addressSize, version, sections };
            const unit: CompUnitInfo = { version, addressSize };
            let strOffsetsBase = offsetSize === 8 ? 16 : 8;
            const pending: { at: number; index: number }[] = [];
            for (const a of decl.attrs) {
                const v = readForm(r, a.form, ctx, a.implicitConst);
                if (a.at === DW_AT_str_offsets_base && v.kind === 'num') strOffsetsBase = v.value;
                else if (a.at === DW_AT_stmt_list && v.kind === 'num') unit.stmtList = v.value;
                else if (v.kind === 'strx' && (a.at === DW_AT_name || a.at === DW_AT_comp_dir)) pending.push({ at: a.at, index: v.index });
                else if (v.kind === 'str' && a.at === DW_AT_name) unit.name = v.value;
                else if (v.kind === 'str' && a.at === DW_AT_comp_dir) unit.compDir = v.value;
            }
            for (const p of pending) {
                const s = strx(sections, strOffsetsBase, p.index, offsetSize);
                if (p.at === DW_AT_name) unit.name = s; else unit.compDir = s;
            }
            if (unit.stmtList !== undefined) units.set(unit.stmtList, unit);
        } catch (e) {
            warnings.push(`.debug_info unit at 0x${unitStart.toString(16)}: ${(e as Error).message}`);
        }
        r.pos = unitEnd;
    }
    return units;
}
