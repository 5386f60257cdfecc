import { InputError, show } from '../../core/errors';

/**
 * One person, one identity: the change's author (NDC_CHANGE_AUTHOR), the approving reviewer (`--as`) and
 * the reviewer ids of the trust store are compared after the same normalisation (Unicode NFKC, case
 * folded, trimmed), and a value that could stand for more than one person, or for a reviewer it is not
 * spelled as, is refused instead of guessed at: separators (a list), invisible characters, mixed scripts
 * (Latin with Cyrillic lookalikes) and lookalike spellings of a reviewer id.
 */

/** Holds the reviewer id of whoever authored the change being deployed; their approvals never count. */
export const CHANGE_AUTHOR_VARIABLE = 'NDC_CHANGE_AUTHOR';

/** NFKC (fullwidth and compatibility letters become plain ones), lower case, trimmed. */
export function normaliseIdentity(value: string): string {
  return trimSpace(value.normalize('NFKC').toLowerCase().normalize('NFKC'));
}

/** Unicode white space off both ends (String.trim would also drop a byte-order mark, which is invisible, not space). */
function trimSpace(value: string): string {
  return value.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
}

// Format (Cf: zero-width, bidi controls, soft hyphen, BOM), control, private-use and unassigned characters,
// and everything else Unicode says renders as nothing.
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Co}\p{Cn}\p{Default_Ignorable_Code_Point}]/u;
// Anything that splits a value into several: white space and list punctuation, after NFKC (so fullwidth
// commas are commas); `.`, `_`, `-`, `@` and `[]` stay allowed for CI logins such as `app[bot]`.
const SEPARATOR = /[\p{White_Space}\p{Z},;|/\\:+&\u3001\u060c\u061b]/u;
const OTHER_PUNCTUATION = /[^\p{L}\p{M}\p{N}._@[\]-]/u;

const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Cherokee', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Arabic', 'Hebrew', 'Thai', 'Devanagari'] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
/** Scripts that are written together (UTS #39 "highly restrictive"): Japanese, Korean, Chinese with Bopomofo. */
const WRITTEN_TOGETHER = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Hangul']), new Set(['Han', 'Bopomofo'])];

function scriptOf(letter: string): string {
  return SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(letter))?.[0] ?? `U+${letter.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A value for an error message with its invisible characters written out (`\\u200b`), so the line shows them. */
function shownRaw(raw: string): string {
  return show(raw.replace(new RegExp(INVISIBLE.source, 'gu'), (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)).replace(/\\\\u/g, '\\u');
}

/** Why `raw` cannot name one person, or undefined when it can. */
export function identityProblem(raw: string): string | undefined {
  const invisible = INVISIBLE.exec(trimSpace(raw));
  if (invisible) return `contains an invisible character (${codePoint(invisible[0])}); type the id plainly`;
  const value = normaliseIdentity(raw);
  if (value === '') return 'is empty';
  const separator = SEPARATOR.exec(value);
  if (separator) return `contains a separator (${show(separator[0])}): it must name exactly one person, not a list`;
  const punctuation = OTHER_PUNCTUATION.exec(value);
  if (punctuation) return `contains ${show(punctuation[0])} (${codePoint(punctuation[0])}): only letters, digits and . _ - @ [ ] may appear in an identity`;
  const scripts = new Set([...value].filter((c) => /\p{L}/u.test(c)).map(scriptOf));
  if (scripts.size > 1 && !WRITTEN_TOGETHER.some((group) => [...scripts].every((s) => group.has(s)))) {
    return `mixes scripts (${[...scripts].sort().join(' and ')}): letters of another script that look like Latin ones make a different id`;
  }
  return undefined;
}

/**
 * Letters of other scripts (and digits) that are drawn like a lower-case Latin letter, after NFKC and
 * lower-casing: from the Unicode confusables data (UTS #39), the ones that can stand in for the letters
 * and digits a reviewer id is made of.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', ь: 'b', с: 'c', ԁ: 'd', е: 'e', ё: 'e', һ: 'h', і: 'i', ї: 'i', ј: 'j', к: 'k', ӏ: 'l', м: 'm', п: 'n', о: 'o', р: 'p', ԛ: 'q', г: 'r', ѕ: 's', т: 't', ц: 'u', ѵ: 'v', ԝ: 'w', х: 'x', у: 'y', з: '3',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ϲ: 'c', ϳ: 'j',
  // Armenian and Latin letters outside a-z
  օ: 'o', ս: 'u', ց: 'g', հ: 'h', ո: 'n', ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ʋ: 'u', ʏ: 'y', ᴅ: 'd', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
  // digits drawn like letters
  '0': 'o', '1': 'l', '5': 's',
};

/** The shape of an identity: what it looks like once every lookalike is replaced by the letter it imitates. */
export function identitySkeleton(value: string): string {
  return [...normaliseIdentity(value).normalize('NFD').replace(/\p{M}/gu, '')].map((c) => LOOKALIKES[c] ?? c).join('');
}

/**
 * Resolves an identity against the reviewer ids of a trust store: the reviewer it names (compared
 * normalised), undefined for someone who is not a reviewer, or an InputError naming `where` when the value
 * is malformed or spells a reviewer id with other characters.
 */
export function resolveIdentity(raw: string, reviewerIds: readonly string[], where: string): string | undefined {
  const problem = identityProblem(raw);
  if (problem) throw new InputError(where, `${shownRaw(raw)}: ${problem}`);
  const value = normaliseIdentity(raw);
  const exact = reviewerIds.find((id) => normaliseIdentity(id) === value);
  if (exact !== undefined) return exact;
  const shape = identitySkeleton(value);
  const alike = reviewerIds.filter((id) => identitySkeleton(id) === shape);
  if (alike.length > 0) throw new InputError(where, `${shownRaw(raw)}: looks like reviewer ${alike.join(', ')} but is spelled with other characters; use the reviewer id exactly`);
  return undefined;
}

/** The change's author as given (NDC_CHANGE_AUTHOR, checked by the composition root); undefined when unset. */
export function parseChangeAuthor(raw: string | undefined, where: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const problem = identityProblem(raw);
  if (problem) throw new InputError(where, `${shownRaw(raw)}: ${problem}`);
  return normaliseIdentity(raw);
}
