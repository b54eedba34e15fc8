import { signalPolicyChange } from './activities';

/** Brings a purpose's new renewal policy to every open consent lifecycle, durably: a crash resumes the scan. */
export async function consentPolicyRolloutWorkflow(input: { purposeId: string; policyVersion: number }): Promise<{ signalled: number }> {
  return signalPolicyChange(input);
}
