/** Lets pending promise callbacks (the backend call before a socket opens) run. */
export async function flushAsync(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
