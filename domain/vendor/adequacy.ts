/**
 * Countries with an EU adequacy decision (GDPR Art. 45): personal data may go there from the EEA with no transfer
 * mechanism. Data, not logic: when the Commission adopts, renews or withdraws a decision, this list changes and
 * nothing else. Source: https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en
 * (checked November 2026).
 *
 * Two decisions are partial, and the list says so rather than leaving it to the reader:
 * - Canada: only organisations subject to PIPEDA, i.e. commercial organisations. A vendor is a commercial
 *   organisation, so the register treats Canada as adequate; a public body in Canada would need a mechanism.
 * - United States: only organisations certified under the EU-US Data Privacy Framework, hence the `dpfCertified`
 *   flags on the vendor and on each sub-processor.
 */
export interface Adequacy {
  country: string;
  name: string;
  decision: string;
  /** Limits of the decision, shown in explanations. */
  scope?: string;
  /** The recipient must be certified under the EU-US Data Privacy Framework. */
  requiresDpf?: boolean;
}

export const ADEQUACY: readonly Adequacy[] = [
  { country: 'AD', name: 'Andorra', decision: 'Commission Decision 2010/625/EU' },
  { country: 'AR', name: 'Argentina', decision: 'Commission Decision 2003/490/EC' },
  { country: 'BR', name: 'Brazil', decision: 'Commission Implementing Decision (EU) 2026/179' },
  { country: 'CA', name: 'Canada', decision: 'Commission Decision 2002/2/EC', scope: 'commercial organisations subject to PIPEDA' },
  { country: 'CH', name: 'Switzerland', decision: 'Commission Decision 2000/518/EC' },
  { country: 'FO', name: 'Faroe Islands', decision: 'Commission Decision 2010/146/EU' },
  {
    country: 'GB',
    name: 'United Kingdom',
    decision: 'Commission Implementing Decision (EU) 2021/1772, renewed in December 2025 until 27 December 2031',
  },
  { country: 'GG', name: 'Guernsey', decision: 'Commission Decision 2003/821/EC' },
  { country: 'IL', name: 'Israel', decision: 'Commission Decision 2011/61/EU' },
  { country: 'IM', name: 'Isle of Man', decision: 'Commission Decision 2004/411/EC' },
  { country: 'JE', name: 'Jersey', decision: 'Commission Decision 2008/393/EC' },
  { country: 'JP', name: 'Japan', decision: 'Commission Implementing Decision (EU) 2019/419' },
  { country: 'KR', name: 'Republic of Korea', decision: 'Commission Implementing Decision (EU) 2022/254' },
  { country: 'NZ', name: 'New Zealand', decision: 'Commission Implementing Decision 2013/65/EU' },
  {
    country: 'US',
    name: 'United States',
    decision: 'Commission Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework)',
    scope: 'organisations certified under the EU-US Data Privacy Framework',
    requiresDpf: true,
  },
  { country: 'UY', name: 'Uruguay', decision: 'Commission Implementing Decision 2012/484/EU' },
];

const BY_COUNTRY: ReadonlyMap<string, Adequacy> = new Map(ADEQUACY.map((a) => [a.country, a]));

export function adequacyOf(country: string): Adequacy | undefined {
  return BY_COUNTRY.get(country);
}
