import type { Rng } from '../util/rng.js';
import { LANGUAGES, TOPICS, CATEGORIES } from './world.js';

/**
 * Synthetic vocabularies: pronounceable invented tokens built from per-language syllable
 * inventories, so transcripts look like text in distinct languages (char n-grams differ) while no
 * real word — harmful or not — is ever generated.
 */

interface Phonology { onsets: string[]; vowels: string[]; codas: string[]; alphabet: string }

const PHONOLOGY: Record<string, Phonology> = {
  en: { onsets: ['b', 'st', 'th', 'cl', 'w', 'r', 'm', 'sh', 'tr', 'g', 'p', 'fl'], vowels: ['a', 'e', 'i', 'o', 'u', 'ea', 'oo'], codas: ['', 'n', 'ck', 'st', 'ng', 'd', 'sh', 'rt'], alphabet: 'abcdefghiklmnoprstuwy' },
  es: { onsets: ['b', 'c', 'ch', 'd', 'l', 'll', 'm', 'n', 'p', 'r', 't', 'v'], vowels: ['a', 'e', 'i', 'o', 'ue', 'ia'], codas: ['', '', 's', 'n', 'r', 'l'], alphabet: 'abcdeilmnoprstuvñ' },
  pt: { onsets: ['b', 'c', 'd', 'lh', 'nh', 'm', 'p', 'r', 't', 'v', 'j', 'qu'], vowels: ['a', 'e', 'o', 'ão', 'ei', 'ou', 'i'], codas: ['', '', 's', 'm', 'r'], alphabet: 'abcdeijlmnopqrstuvãç' },
  hi: { onsets: ['kh', 'bh', 'dh', 'g', 'j', 'k', 'm', 'n', 'p', 'r', 's', 'ch'], vowels: ['a', 'aa', 'i', 'ee', 'u', 'o', 'ai'], codas: ['', '', 'n', 'm', 'r', 't'], alphabet: 'abcdeghijkmnoprstu' },
  id: { onsets: ['b', 'd', 'g', 'k', 'l', 'm', 'ng', 'ny', 'p', 's', 't', 'w'], vowels: ['a', 'e', 'i', 'o', 'u'], codas: ['', 'n', 'ng', 'k', 'h', 'r'], alphabet: 'abdeghiklmnoprstuwy' },
  fr: { onsets: ['b', 'ch', 'd', 'gr', 'l', 'm', 'p', 'qu', 'r', 't', 'v', 'pl'], vowels: ['a', 'e', 'é', 'ou', 'eau', 'oi', 'i'], codas: ['', '', 'n', 's', 'x', 'r', 't'], alphabet: 'abcdeéèghilmnopqrstuvx' },
  ar: { onsets: ['kh', 'q', 'z', 'sh', 'dh', 'gh', 'm', 'n', 'r', 's', 'f', 'h'], vowels: ['a', 'aa', 'i', 'ii', 'u', 'uu'], codas: ['', 'l', 'm', 'n', 'r', 'b', 'd'], alphabet: 'abdfghiklmnqrsuz' },
};

function word(rng: Rng, p: Phonology, syllables: number): string {
  let w = '';
  for (let s = 0; s < syllables; s++) {
    w += p.onsets[rng.int(p.onsets.length)] + p.vowels[rng.int(p.vowels.length)];
    if (s === syllables - 1 || rng.next() < 0.3) w += p.codas[rng.int(p.codas.length)];
  }
  return w;
}

export interface LanguageVocab {
  lang: string;
  alphabet: string;
  filler: string[];
  /** topic index → topic words */
  topic: string[][];
  /** category index → harm tokens */
  harm: string[][];
  /** words of allowed violent-topic talk (news, gaming); some overlap graphic-violence tokens */
  edgy: string[];
}

export type Vocabulary = LanguageVocab[];

export function makeVocabulary(rng: Rng): Vocabulary {
  return LANGUAGES.map((lang) => {
    const p = PHONOLOGY[lang];
    const used = new Set<string>();
    const fresh = (minSyl: number, maxSyl: number): string => {
      for (;;) {
        const w = word(rng, p, minSyl + rng.int(maxSyl - minSyl + 1));
        if (!used.has(w)) { used.add(w); return w; }
      }
    };
    const filler = Array.from({ length: 400 }, () => fresh(1, 2));
    const topic = TOPICS.map(() => Array.from({ length: 30 }, () => fresh(2, 3)));
    const harm = CATEGORIES.map(() => Array.from({ length: 14 }, () => fresh(2, 4)));
    // the drift category borrows part of extremism's vocabulary (new slogans, old movement words)
    harm[4] = [...harm[4].slice(0, 8), ...harm[3].slice(0, 6)];
    const edgy = [...Array.from({ length: 20 }, () => fresh(2, 3)), ...harm[1].slice(0, 4)];
    return { lang, alphabet: p.alphabet, filler, topic, harm, edgy };
  });
}

/** Zipf-like index in [0, n): small indices are frequent. */
export function zipfIndex(rng: Rng, n: number): number {
  // inverse CDF of a continuous 1/x law over [1, n+1)
  return Math.min(n - 1, Math.floor(Math.exp(rng.next() * Math.log(n + 1))) - 1);
}

/**
 * ASR corruption of one word: 1–2 character edits (substitution, deletion, duplication) drawn from
 * the language's alphabet.
 */
export function corruptWord(rng: Rng, w: string, alphabet: string): string {
  const edits = 1 + (rng.next() < 0.35 ? 1 : 0);
  let s = w;
  for (let e = 0; e < edits && s.length > 1; e++) {
    const pos = rng.int(s.length);
    const kind = rng.int(3);
    if (kind === 0) s = s.slice(0, pos) + alphabet[rng.int(alphabet.length)] + s.slice(pos + 1);
    else if (kind === 1) s = s.slice(0, pos) + s.slice(pos + 1);
    else s = s.slice(0, pos) + s[pos] + s.slice(pos);
  }
  return s;
}
