/** A gate that callers wait on while it is closed. It starts open. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release?: () => void;

  /** Makes later `wait` calls block until `open`. */
  close(): void {
    if (this.release) {
      return;
    }
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  /** Lets every waiting and later caller through. */
  open(): void {
    this.release?.();
    this.release = undefined;
  }

  /** Whether callers pass without waiting. */
  get isOpen(): boolean {
    return this.release === undefined;
  }

  /** Resolves at once when open, else when the gate opens. */
  wait(): Promise<void> {
    return this.opened;
  }
}
