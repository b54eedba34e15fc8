/* eslint-disable @typescript-eslint/no-require-imports */
// Every workflow the worker runs. Workflow code imports only @temporalio/workflow, pure domain modules and
// activity *types*, so it stays deterministic and can be bundled for the sandbox.
//
// The SDK gives every workflow its own copy of the modules it loads (module state must not leak between workflows),
// so each cached workflow holds in memory every module it evaluated. Each entry below therefore loads its process's
// code only when a workflow of that process runs: a sleeping consent lifecycle does not carry the breach and vendor
// code. The API and tests import the message definitions from the process's own file, never from here.
import type * as AccessReview from './access-review';
import type * as Approval from './approval';
import type * as Audit from './audit';
import type * as Cleansing from './cleansing';
import type * as Consent from './consent';
import type * as ConsentPolicyRollout from './consent-policy-rollout';
import type * as CorrectiveAction from './corrective-action';
import type * as Incident from './incident';
import type * as TrainingAssignment from './training-assignment';
import type * as TrainingCampaign from './training-campaign';
import type * as Vendor from './vendor';

export function approvalWorkflow(...args: Parameters<typeof Approval.approvalWorkflow>): ReturnType<typeof Approval.approvalWorkflow> {
  return (require('./approval') as typeof Approval).approvalWorkflow(...args);
}

export function consentLifecycleWorkflow(...args: Parameters<typeof Consent.consentLifecycleWorkflow>): ReturnType<typeof Consent.consentLifecycleWorkflow> {
  return (require('./consent') as typeof Consent).consentLifecycleWorkflow(...args);
}

export function consentPolicyRolloutWorkflow(...args: Parameters<typeof ConsentPolicyRollout.consentPolicyRolloutWorkflow>): ReturnType<typeof ConsentPolicyRollout.consentPolicyRolloutWorkflow> {
  return (require('./consent-policy-rollout') as typeof ConsentPolicyRollout).consentPolicyRolloutWorkflow(...args);
}

export function incidentWorkflow(...args: Parameters<typeof Incident.incidentWorkflow>): ReturnType<typeof Incident.incidentWorkflow> {
  return (require('./incident') as typeof Incident).incidentWorkflow(...args);
}

export function vendorWorkflow(...args: Parameters<typeof Vendor.vendorWorkflow>): ReturnType<typeof Vendor.vendorWorkflow> {
  return (require('./vendor') as typeof Vendor).vendorWorkflow(...args);
}

export function auditRunWorkflow(...args: Parameters<typeof Audit.auditRunWorkflow>): ReturnType<typeof Audit.auditRunWorkflow> {
  return (require('./audit') as typeof Audit).auditRunWorkflow(...args);
}

export function correctiveActionWorkflow(...args: Parameters<typeof CorrectiveAction.correctiveActionWorkflow>): ReturnType<typeof CorrectiveAction.correctiveActionWorkflow> {
  return (require('./corrective-action') as typeof CorrectiveAction).correctiveActionWorkflow(...args);
}

export function cleansingWorkflow(...args: Parameters<typeof Cleansing.cleansingWorkflow>): ReturnType<typeof Cleansing.cleansingWorkflow> {
  return (require('./cleansing') as typeof Cleansing).cleansingWorkflow(...args);
}

export function accessReviewWorkflow(...args: Parameters<typeof AccessReview.accessReviewWorkflow>): ReturnType<typeof AccessReview.accessReviewWorkflow> {
  return (require('./access-review') as typeof AccessReview).accessReviewWorkflow(...args);
}

export function trainingCampaignWorkflow(...args: Parameters<typeof TrainingCampaign.trainingCampaignWorkflow>): ReturnType<typeof TrainingCampaign.trainingCampaignWorkflow> {
  return (require('./training-campaign') as typeof TrainingCampaign).trainingCampaignWorkflow(...args);
}

export function trainingAssignmentWorkflow(...args: Parameters<typeof TrainingAssignment.trainingAssignmentWorkflow>): ReturnType<typeof TrainingAssignment.trainingAssignmentWorkflow> {
  return (require('./training-assignment') as typeof TrainingAssignment).trainingAssignmentWorkflow(...args);
}
