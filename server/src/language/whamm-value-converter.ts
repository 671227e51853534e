// Literal tokens stay as written in the AST: INT as its source text (`18_446_744_073_709_551_615`,
// `0xFF`, `0b1010` do not fit a JS number and Langium's default would parse `32_767` as 32), STRING with
// its quotes and escapes (`"\u{1F600}\x41"`; Langium's default knows neither escape). Consumers decode
// them with full precision (the checker, the engine's constant folder).
import { DefaultValueConverter, type CstNode, type GrammarAST, type ValueType } from 'langium';

export class WhammValueConverter extends DefaultValueConverter {
    protected override runConverter(rule: GrammarAST.AbstractRule, input: string, cstNode: CstNode): ValueType {
        if (rule.name === 'INT' || rule.name === 'STRING') return input;
        return super.runConverter(rule, input, cstNode);
    }
}
