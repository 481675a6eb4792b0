// Docker HEALTHCHECK: exit 0 when GET /health answers 200 within the timeout, else 1.
// The slim images have no curl or wget; node is always there.
// /health is liveness (the process serves HTTP); readiness (/ready) is for load balancers.
import http from 'node:http';

const port = Number(process.env.PORT || 8000);
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS || 4000);

const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: timeoutMs }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', (err) => {
  console.error(`healthcheck: ${err.message}`);
  process.exit(1);
});
