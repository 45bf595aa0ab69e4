/**
 * Stream sequence numbers are decimal strings of varying length, compared as numbers (the audit
 * function's journal lookup, the redrive's range reader). DynamoDB Local writes them with leading
 * zeros (`000000000000000000050`) and a journal key's are read back without (`parseAuditJournalKey`),
 * so the zeros go before comparing. Compared by length first with the zeros kept, every local plan
 * looked as if it ended before the record it holds: a redelivery that had grown (new records arrived
 * between attempts) stored the earlier attempt's records again under other keys.
 */
export const compareSequence = (a: string, b: string): number => {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length - y.length || (x < y ? -1 : x > y ? 1 : 0);
};
