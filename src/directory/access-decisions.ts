/**
 * Access decisions for panels (access-api.md §7). Granted only when the identifier exists, is
 * inside its validity window, its owner (if any) and the identifier are each inside at least one
 * of their attached time profiles' active windows (when any are attached), and — last, so that
 * a refusal never costs a pass — a pass is left and is used. One indexed query gathers the facts;
 * a limited identifier costs one more (the conditional update that uses the pass atomically).
 *
 * The facts (not the decisions: those depend on the hour) are kept per presented number until
 * the store's data version moves — at once for this process's writes, as soon as the store hears
 * of other processes' commits — so a panel asking again about a known card costs no query.
 */
import type { Store } from '../store/database.ts';
import { identifiersRepository, type DecisionFacts } from '../store/identifiers.ts';
import {
  canonicalType,
  insideValidTime,
  lockNumber,
  numberKey,
  type IdentifierType,
  type IdentifierTypeName,
  type Lock,
} from './identifiers.ts';
import { isActiveAt, type TimeProfileRules } from './time-profiles.ts';

export type Decision = { granted: true; lockNumber: 0 | 1 | 2 } | { granted: false };

const REFUSED: Decision = { granted: false };
/** Parsed rules by their stored text; bounded so that edits cannot grow it without end. */
const MAX_CACHED_RULES = 1000;
/** Presented numbers whose facts are kept (known and unknown ones); beyond it, the cache starts over. */
const MAX_CACHED_FACTS = 200_000;

export interface AccessDecisionOptions {
  /** IANA time zone in which time profiles are evaluated. */
  timeZone: string;
}

/**
 * Facts by presented type and number key, valid for one data version of the store. Panels asking
 * about the same number at once share one read (after every change all of them miss together);
 * a read is shared only within the version it started in. One map per type: a lookup hashes the
 * number key as it came, with no key made by joining the two per question.
 */
function factsCache(store: Store, read: (type: IdentifierType, key: string) => Promise<DecisionFacts | null>) {
  const facts = new Map<IdentifierType, Map<string, DecisionFacts | null>>();
  const reading = new Map<IdentifierType, Map<string, Promise<DecisionFacts | null>>>();
  let version: number | undefined;

  const of = <V>(maps: Map<IdentifierType, Map<string, V>>, type: IdentifierType): Map<string, V> => {
    let map = maps.get(type);
    if (!map) maps.set(type, (map = new Map()));
    return map;
  };

  async function readAndKeep(type: IdentifierType, key: string, readAt: number): Promise<DecisionFacts | null> {
    try {
      const value = await read(type, key);
      // Kept only when nothing may have changed since the read began.
      if (readAt === version && store.dataVersion() === readAt) {
        let kept = 0;
        for (const ofType of facts.values()) kept += ofType.size;
        if (kept >= MAX_CACHED_FACTS) facts.clear();
        of(facts, type).set(key, value);
      }
      return value;
    } finally {
      if (readAt === version) reading.get(type)?.delete(key);
    }
  }

  return {
    /** The facts, at once when they are kept (no promise, no turn of the event loop), else a read. */
    get(type: IdentifierType, key: string): DecisionFacts | null | Promise<DecisionFacts | null> {
      const now = store.dataVersion();
      if (now === undefined) return read(type, key);
      if (now !== version) {
        facts.clear();
        reading.clear();
        version = now;
      }
      const known = facts.get(type)?.get(key);
      if (known !== undefined) return known;
      const pendingOfType = of(reading, type);
      let pending = pendingOfType.get(key);
      if (!pending) {
        pending = readAndKeep(type, key, now);
        pendingOfType.set(key, pending);
      }
      return pending;
    },
  };
}

export function accessDecisions(store: Store, options: AccessDecisionOptions) {
  const identifiers = identifiersRepository(store);
  const cache = factsCache(store, async (type, key) => (await identifiers.decisionFacts(store.db, type, key)) ?? null);
  const parsed = new Map<string, TimeProfileRules>();

  function rulesOf(text: string): TimeProfileRules {
    let rules = parsed.get(text);
    if (!rules) {
      if (parsed.size >= MAX_CACHED_RULES) parsed.clear();
      rules = JSON.parse(text) as TimeProfileRules;
      parsed.set(text, rules);
    }
    return rules;
  }

  /** No profiles attached: no constraint; else at least one active. */
  const insideProfiles = (texts: readonly string[], at: Date) =>
    texts.length === 0 || texts.some((text) => isActiveAt(rulesOf(text), at, options.timeZone));

  function allowedAt(facts: DecisionFacts, at: Date): boolean {
    const validity = {
      time: { is_permanent: facts.time_permanent === 1, from: facts.valid_from, to: facts.valid_to },
      passes: { is_permanent: facts.passes_permanent === 1, max_passes: null },
    };
    return (
      insideValidTime(validity, Math.floor(at.getTime() / 1000)) &&
      insideProfiles(facts.identifierRules, at) &&
      insideProfiles(facts.userRules, at)
    );
  }

  function judge(facts: DecisionFacts | null, at: Date | undefined): Decision | Promise<Decision> {
    if (!facts || !allowedAt(facts, at ?? new Date())) return REFUSED;
    const granted: Decision = { granted: true, lockNumber: lockNumber(facts.lock as Lock) };
    if (facts.passes_permanent === 1) return granted;
    return identifiers.usePass(store.db, facts.id).then((used) => (used ? granted : REFUSED));
  }

  return {
    /**
     * The decision for a presented identifier; store errors propagate (the caller cannot decide
     * then). Answered synchronously when the facts are kept and no pass is to be used: most of a
     * panel's questions cost no promise at all.
     */
    decide(typeName: IdentifierTypeName, number: string, at?: Date): Decision | Promise<Decision> {
      const type = canonicalType(typeName);
      const key = numberKey(type, number);
      if (key === null) return REFUSED;
      const facts = cache.get(type, key);
      return facts instanceof Promise ? facts.then((read) => judge(read, at)) : judge(facts, at);
    },
  };
}

export type AccessDecisions = ReturnType<typeof accessDecisions>;
