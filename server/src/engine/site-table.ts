// The site table: one row per match site (function, pc, opcode index, module offset, probe, rule).

export interface SiteRecord {
    fid: number;
    fname: string;
    pc: number;
    opidx: number;
    /** Module offset of the original instruction. */
    offset: number;
    probe: number;
    rule: string;
}

/** Every match site, column by column (a hot monitor on a large app has a million of them). */
export class SiteTable {
    private cols = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
    private n = 0;
    readonly rules: string[] = [];
    private readonly ruleIds = new Map<string, number>();
    constructor(private readonly fname: (fid: number) => string) {}

    get length(): number { return this.n; }
    get fid(): Int32Array { return this.cols[0].subarray(0, this.n); }
    get pc(): Int32Array { return this.cols[1].subarray(0, this.n); }
    get opidx(): Int32Array { return this.cols[2].subarray(0, this.n); }
    get offset(): Int32Array { return this.cols[3].subarray(0, this.n); }
    get probe(): Int32Array { return this.cols[4].subarray(0, this.n); }
    get ruleId(): Int32Array { return this.cols[5].subarray(0, this.n); }

    ruleIdOf(rule: string): number {
        let r = this.ruleIds.get(rule);
        if (r === undefined) { r = this.rules.length; this.rules.push(rule); this.ruleIds.set(rule, r); }
        return r;
    }

    add(fid: number, pc: number, opidx: number, offset: number, probe: number, rule: string): void {
        this.addWithRuleId(fid, pc, opidx, offset, probe, this.ruleIdOf(rule));
    }

    addWithRuleId(fid: number, pc: number, opidx: number, offset: number, probe: number, ruleId: number): void {
        const c = this.cols;
        if (this.n === c[0].length) {
            for (let k = 0; k < c.length; k++) { const nc = new Int32Array(c[k].length * 2); nc.set(c[k]); c[k] = nc; }
        }
        const i = this.n++;
        c[0][i] = fid; c[1][i] = pc; c[2][i] = opidx; c[3][i] = offset; c[4][i] = probe; c[5][i] = ruleId;
    }

    get(i: number): SiteRecord {
        const c = this.cols;
        return { fid: c[0][i], fname: this.fname(c[0][i]), pc: c[1][i], opidx: c[2][i], offset: c[3][i], probe: c[4][i], rule: this.rules[c[5][i]] };
    }

    *[Symbol.iterator](): Iterator<SiteRecord> {
        for (let i = 0; i < this.n; i++) yield this.get(i);
    }
}
