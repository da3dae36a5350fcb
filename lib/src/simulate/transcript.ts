import type { Rng } from '../util/rng.js';
import type { ContentStore } from './content.js';
import type { AudioLatent } from './audio.js';
import { type Vocabulary, zipfIndex, corruptWord } from './vocab.js';
import { CH_TEXT, LANG_ASR_MEAN, LANGUAGES } from './world.js';

const WORDS_PER_SECOND = 2.3;

/** What was said in a content item: words with their content times (inside VAD segments). */
export interface SpokenWords { words: string[]; times: number[] }

/**
 * Harmful speech is localized: only words spoken inside the harm interval become harm tokens, and
 * at least 1–3 of them (more for intense content). Allowed violent-topic talk (news, gaming) uses
 * "edgy" tokens, a few of which overlap the graphic-violence vocabulary.
 */
export function spokenWords(crng: Rng, vocab: Vocabulary, cs: ContentStore, cid: number, lat: AudioLatent): SpokenWords {
  const v = vocab[cs.lang[cid]];
  const topicWords = v.topic[cs.topic[cid]];
  const cat = cs.cat[cid];
  const harmWords = cat >= 0 && (cs.channels[cid] & CH_TEXT) !== 0 ? v.harm[cat] : null;
  const hs = cs.harmStart[cid] - 0.5, he = cs.harmStart[cid] + cs.harmLen[cid] + 0.5;
  const hard = cs.hardNeg[cid] === 1;
  const e = cs.edginess[cid];
  const ls = cs.lookStart[cid], le = ls + cs.lookLen[cid];
  const needHarm = harmWords ? 1 + Math.floor(2.5 * cs.intensity[cid]) : 0;
  let harmCount = 0;
  const words: string[] = [], times: number[] = [];
  for (let s = 0; s < lat.start.length; s++) {
    const n = Math.max(1, Math.floor(lat.len[s] * WORDS_PER_SECOND));
    for (let w = 0; w < n; w++) {
      const t = lat.start[s] + (w + 0.5) / WORDS_PER_SECOND;
      const u = crng.next();
      let word: string;
      if (harmWords && t >= hs && t < he && (u < 0.7 || harmCount < needHarm)) {
        word = harmWords[crng.int(harmWords.length)];
        harmCount++;
      } else if (hard && ((t >= ls && t < le && u < 0.3 + 0.5 * e) || u < 0.05)) {
        word = v.edgy[crng.int(v.edgy.length)];
      } else if (u < 0.3) {
        word = topicWords[zipfIndex(crng, topicWords.length)];
      } else {
        word = v.filler[zipfIndex(crng, v.filler.length)];
      }
      words.push(word); times.push(t);
    }
  }
  return { words, times };
}

/** ASR confidence of one upload: language-dependent mean, recording clarity, per-upload noise. */
export function asrConfidence(urng: Rng, cs: ContentStore, cid: number): number {
  const c = LANG_ASR_MEAN[cs.lang[cid]] + cs.clarity[cid] + 0.03 * urng.normal();
  return Math.min(0.99, Math.max(0.25, c));
}

/**
 * The transcript an ASR system would produce for the upload window [off, off + dur): words are
 * corrupted (character edits) with a probability that grows as confidence drops. null when no word
 * falls in the window.
 */
export function transcribe(urng: Rng, vocab: Vocabulary, cs: ContentStore, cid: number, spoken: SpokenWords, off: number, dur: number, conf: number): string | null {
  const alphabet = vocab[cs.lang[cid]].alphabet;
  const pErr = Math.min(0.7, 1.3 * (1 - conf));
  const out: string[] = [];
  for (let i = 0; i < spoken.words.length; i++) {
    const t = spoken.times[i];
    if (t < off || t >= off + dur) continue;
    out.push(urng.next() < pErr ? corruptWord(urng, spoken.words[i], alphabet) : spoken.words[i]);
  }
  return out.length > 0 ? out.join(' ') : null;
}

export function languageCode(cs: ContentStore, cid: number): string {
  return LANGUAGES[cs.lang[cid]];
}
