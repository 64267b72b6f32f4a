/**
 * The worker side of core-array's pool: imports the task's module (an absolute file URL, so the
 * worker loads the caller's own package, whatever the caller's dependency tree), runs the named
 * export on the unpacked arguments and returns the packed result, moving its buffers.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { pack, packError, unpack } from './transfer.js';

export interface TaskMessage {
  module: string;
  name: string;
  args: unknown[];
}

export default async function run({ module, name, args }: TaskMessage): Promise<unknown> {
  try {
    const mod = (await import(module)) as Record<string, unknown>;
    const fn = mod[name];
    if (typeof fn !== 'function') throw new TypeError(`${module} has no export ${name}`);
    const result = await (fn as (...a: unknown[]) => unknown)(...(unpack(args) as unknown[]));
    const transfer: ArrayBuffer[] = [];
    const value = pack(result, transfer, false);
    return move({ [transferableSymbol]: transfer, [valueSymbol]: { ok: value } });
  } catch (e) {
    return { error: packError(e) };
  }
}
