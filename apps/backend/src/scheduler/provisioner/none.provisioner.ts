import { Provisioner, ProvisionedServer } from './provisioner.port';

/** Session servers are started by someone else (Kubernetes, systemd, by hand) and register themselves. */
export class NoneProvisioner implements Provisioner {
  readonly kind = 'none';
  async start(): Promise<void> {}
  async addCapacity(): Promise<boolean> {
    return false;
  }
  prewarm(): void {}
  async reconcile(): Promise<void> {}
  async stop(): Promise<void> {}
  running(): ProvisionedServer[] {
    return [];
  }
}
