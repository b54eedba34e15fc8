/** Passing answers to the baseline questionnaire (low tier), for tests that need a vendor past its questionnaire. */
export const BASELINE_ANSWERS = {
  mfa: 'yes',
  'encryption-in-transit': 'yes',
  'encryption-at-rest': 'yes',
  'breach-notification-hours': 24,
  'data-location': 'Germany',
  'sub-processors': 'yes',
  'retention-deletion': 'yes',
  'security-contact': 'security@vendor.example',
};
