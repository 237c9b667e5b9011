// Integration and browser tests start real processes: allow them a minute per test and hook.
jest.setTimeout(60_000);
