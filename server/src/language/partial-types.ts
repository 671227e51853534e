// A type name being typed (`var x: u3` on the way to `u32`) is a word where the grammar takes only the type
// keywords, `(` or `map`: the parser cannot fit it, its recovery unwinds the declaration (or the whole
// function or probe) and the items after it are lost. The parser's wrapper (whamm-parser.ts) parses again
// with that word lexed as a type keyword: the declaration, parameter or return type is then complete (the
// word becomes a type the checker does not know, so nothing is checked against it) and everything after it
// is parsed and checked. The word gets one error; the end of its statement not typed yet is not reported
// again.
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';

/** The type keywords (SPEC.md, "Types and expressions"). */
export const TYPE_KEYWORDS = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool', 'str', 'funcref'] as const;

/** The error at a partly typed type name: the type names it may be on the way to, or all of them. */
export function partialTypeMessage(word: string): string {
    const like: string[] = TYPE_KEYWORDS.filter(k => k.startsWith(word) && k !== word);
    if ('map'.startsWith(word)) like.push('map<K, V>');
    const list = (names: readonly string[]) => names.map(n => `\`${n}\``).join(', ');
    return like.length > 0
        ? `Unknown type \`${word}\`: did you mean ${list(like)}?`
        : `Unknown type \`${word}\`: a type is ${list(TYPE_KEYWORDS)}, a tuple \`(T, U)\` or \`map<K, V>\``;
}

/**
 * The first word standing where a type is expected, that is not among `done` (the words already lexed as
 * types). Only a name counts: a keyword or a symbol there is another mistake.
 */
export function partialTypeWord(errors: readonly IRecognitionException[], done: ReadonlySet<number>): IToken | undefined {
    for (const e of errors) {
        const rule = e.context?.ruleStack?.at(-1)?.replace(/\u200b/g, '');
        const t = e.token;
        if (e.name === 'NoViableAltException' && rule === 'TypeRef' && t?.tokenType?.name === 'ID'
            && Number.isFinite(t.startOffset) && t.startOffset >= 0 && !done.has(t.startOffset)) return t;
    }
    return undefined;
}

/** The lexer's tokens with the names at `offsets` turned into the type keyword `as` (image and place kept). */
export function retypeTokens(tokens: IToken[], offsets: ReadonlySet<number>, as: TokenType): IToken[] {
    return tokens.map(t => offsets.has(t.startOffset) && t.tokenType?.name === 'ID'
        ? { ...t, tokenType: as, tokenTypeIdx: as.tokenTypeIdx! }
        : t);
}

/**
 * The errors of a parse with the words at `offsets` lexed as types, less those right after such a word
 * that only say its statement is not finished (`;`, `)`, `,`, `>` expected: the word is still being typed).
 */
export function withoutUnfinished(errors: IRecognitionException[], offsets: ReadonlySet<number>): IRecognitionException[] {
    return errors.filter(e => {
        const prev = (e as { previousToken?: IToken }).previousToken;
        return !(e.name === 'MismatchedTokenException' && prev && offsets.has(prev.startOffset) && e.token?.startOffset !== prev.startOffset);
    });
}
