import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Access recertification campaigns (to be filled in). */
const accessReviews: FastifyPluginAsyncTypebox = async () => {};

export default accessReviews;
