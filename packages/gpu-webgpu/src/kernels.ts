import {
  InvalidArgumentError,
  type KernelTable,
  type Mat,
  NDArray,
  checkBoolean,
  checkNumber,
  copyInto,
  gemmBatchedOperands,
  gemmOperands,
  gemvOperands,
  shapeSize,
} from '@krylov/core-array';
import { type GPUArray, toGPU } from './array.js';
import { deviceState } from './device.js';
import { gemv, matmul } from './linalg.js';

/**
 * The registry kernels: async-only float32 gemm, gemmBatched and gemv. Each call uploads its
 * operands, runs on the device and reads the result back once, so it pays a host round trip:
 * chain device operations on GPUArrays instead when several run in a row.
 */

export interface Thresholds {
  /** Fewest flops (2 m n k for gemm) worth a device round trip (default 2^22, about 128^3). */
  minFlops: number;
  /** Run registry kernels on a software adapter (SwiftShader...), slower than the CPU backends; default false. */
  allowSoftware: boolean;
}

/**
 * The thresholds with checked assignments, so `minFlops = '1e6'` or a misspelt key throws at once
 * instead of being ignored.
 */
function checkedThresholds(init: Thresholds): Thresholds {
  const check: Record<keyof Thresholds, (v: unknown) => unknown> = {
    minFlops: (v) => checkNumber('THRESHOLDS', 'minFlops', v, { min: 0, infinite: true }),
    allowSoftware: (v) => checkBoolean('THRESHOLDS', 'allowSoftware', v),
  };
  return new Proxy(
    { ...init },
    {
      set(target, key, value) {
        if (typeof key !== 'string' || !(key in check))
          throw new InvalidArgumentError(
            'THRESHOLDS',
            String(key),
            value,
            `one of the known thresholds: ${Object.keys(check).join(', ')}`,
          );
        (target as Record<string, unknown>)[key] = check[key as keyof Thresholds](value);
        return true;
      },
      defineProperty(_target, key) {
        throw new InvalidArgumentError(
          'THRESHOLDS',
          String(key),
          undefined,
          'an assignment to a known threshold',
        );
      },
      deleteProperty(_target, key) {
        throw new InvalidArgumentError(
          'THRESHOLDS',
          String(key),
          undefined,
          'a threshold kept (assign it instead)',
        );
      },
    },
  );
}

/**
 * When the registry kernels accept a call; tune them for the adapter at hand. One object per
 * process, shared by every loaded copy of the package (as the device is). Assignments are checked
 * (`minFlops` a number >= 0, Infinity to decline every call; `allowSoftware` a boolean) and throw
 * InvalidArgumentError otherwise; the object takes no other keys.
 */
export const THRESHOLDS: Thresholds = ((globalThis as unknown as Record<symbol, Thresholds | undefined>)[
  Symbol.for('@krylov/gpu-webgpu/thresholds')
] ??= checkedThresholds({ minFlops: 2 ** 22, allowSoftware: false }));

function decline(dtype: string, flops: number, elements: readonly number[]): true | string {
  if (dtype !== 'float32') return `WebGPU computes in float32; ${dtype} operands run on another backend`;
  const s = deviceState();
  if (s?.software && !THRESHOLDS.allowSoftware)
    return 'software adapter (set THRESHOLDS.allowSoftware to use it)';
  if (flops < THRESHOLDS.minFlops) return `below THRESHOLDS.minFlops (${flops} < ${THRESHOLDS.minFlops})`;
  if (s) {
    const limit = Math.min(s.device.limits.maxStorageBufferBindingSize, s.device.limits.maxBufferSize);
    const most = Math.max(...elements);
    if (most * 4 > limit)
      return `an operand of ${most} elements exceeds the adapter's storage binding limit of ${limit} bytes`;
  }
  return true;
}

async function writeBack(dst: NDArray, src: GPUArray): Promise<void> {
  const host = await src.read();
  src.dispose();
  copyInto(dst, new NDArray(host, dst.shape));
}

export function webgpuKernels(): KernelTable {
  return {
    gemm: {
      supports: ({ a, b, c }) =>
        gemmOperands({ a, b, c }) ||
        decline(a.dtype, 2 * a.shape[0] * a.shape[1] * b.shape[1], [a.size, b.size, c.size]),
      runAsync: async ({ alpha, a, b, beta, c }) => {
        const ga = toGPU(a as NDArray);
        const gb = toGPU(b as NDArray);
        const gc = beta !== 0 ? toGPU(c as NDArray) : undefined;
        const out = matmul(ga, gb, { alpha, beta, c: gc });
        ga.dispose();
        gb.dispose();
        gc?.dispose();
        await writeBack(c, out);
      },
    },
    gemmBatched: {
      supports: ({ a, b, c }) => {
        const reason = gemmBatchedOperands({ a, b, c });
        if (reason) return reason;
        const count = shapeSize(c.shape.slice(0, -2));
        const [m, k] = a.shape.slice(-2);
        // broadcast operands are expanded by the upload, so each counts at the batch's size
        return decline(a.dtype, 2 * count * m * b.shape[b.ndim - 1] * k, [
          count * m * k,
          count * k * b.shape[b.ndim - 1],
          c.size,
        ]);
      },
      runAsync: async ({ alpha, a, b, beta, c }) => {
        // broadcast views (zero strides) are expanded by the upload's copy
        const ga = toGPU(a);
        const gb = toGPU(b);
        const gc = beta !== 0 ? toGPU(c) : undefined;
        const out = matmul(ga, gb, { alpha, beta, c: gc });
        ga.dispose();
        gb.dispose();
        gc?.dispose();
        await writeBack(c, out);
      },
    },
    gemv: {
      supports: ({ a, x, y }) => gemvOperands({ a, x, y }) || decline(a.dtype, 2 * a.size, [a.size]),
      runAsync: async ({ alpha, a, x, beta, y }) => {
        const ga = toGPU(a as Mat);
        const gx = toGPU(x);
        const gy = beta !== 0 ? toGPU(y) : undefined;
        const out = gemv(ga, gx, { alpha, beta, y: gy });
        ga.dispose();
        gx.dispose();
        gy?.dispose();
        await writeBack(y, out);
      },
    },
  };
}
