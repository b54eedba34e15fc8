# syntax=docker/dockerfile:1
# One image for both processes: `node dist/api/main.js` (the default) and `node dist/worker/main.js`.

# --- build: all dependencies, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && rm -f dist/.tsbuildinfo

# --- runtime: production dependencies and the compiled output only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# All of dist/, including dist/workflows: the worker bundles the compiled workflow code when it starts.
COPY --from=build /app/dist ./dist
# The data folder (e-mail outbox when SMTP_URL is unset) is the only place the app writes.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
