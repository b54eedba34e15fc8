// Every workflow the worker runs. Workflow code imports only @temporalio/workflow, pure domain modules and
// activity *types*, so it stays deterministic and can be bundled for the sandbox.
export * from './approval';
export * from './consent';
export * from './consent-policy-rollout';
export * from './incident';
export * from './vendor';
