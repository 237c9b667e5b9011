import { backendForThisFile } from '../support/test-backend';

// HTTP_RATE_LIMIT_PER_MIN=0 and GUESTS_PER_ADDRESS_PER_HOUR=0: no per-address limit on logins (a
// gateway in front limits per address; the 100,000-user bench logs everyone in from one address).
const backend = backendForThisFile({ HTTP_RATE_LIMIT_PER_MIN: '0', GUESTS_PER_ADDRESS_PER_HOUR: '0' });

it('lets any number of logins from one address through with both per-address login limits at 0', async () => {
  const statuses = await Promise.all(
    Array.from({ length: 150 }, async (_, i) => {
      const res = await fetch(`${backend.base}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `user ${i}` }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  expect(statuses.filter((s) => s !== 201)).toEqual([]);
});
