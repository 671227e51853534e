// @ts-nocheck: AssemblyScript (compiled by asc into out/demo/demo.wasm with a source map), not TypeScript.
// The sample app of `whamm demo` and of the demo workspace: a few small computations with loops,
// branches and calls, so that every gallery monitor has something to show. It writes its results
// with WASI fd_write and needs nothing else from the host.
//
// Output of a run:
//   primes below 5000: 669
//   longest Collatz chain below 3000: 2919 (216 steps)
//   gcd sum: 4152

@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: i32, iovs: usize, iovsLen: i32, nwritten: usize): i32;

const LINE = memory.data(128);
const IOV = memory.data(12);

let len: i32 = 0;

function put(s: string): void {
  for (let i = 0; i < s.length; i++) {
    store<u8>(LINE + len, <u8>s.charCodeAt(i));
    len++;
  }
}

function putInt(v: i32): void {
  if (v >= 10) putInt(v / 10);
  store<u8>(LINE + len, <u8>(48 + v % 10));
  len++;
}

function flush(): void {
  store<u8>(LINE + len, 10);
  store<usize>(IOV, LINE);
  store<usize>(IOV + 4, len + 1);
  fd_write(1, IOV, 1, IOV + 8);
  len = 0;
}

function countPrimes(n: i32): i32 {
  // A fresh 64 KiB page of zeros for the sieve's flags.
  const sieve: usize = <usize>memory.grow(1) << 16;
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (load<u8>(sieve + i) == 0) {
      count++;
      for (let j = i * i; j < n; j += i) {
        store<u8>(sieve + j, 1);
      }
    }
  }
  return count;
}

function collatzSteps(start: i32): i32 {
  let n: i64 = start;
  let steps = 0;
  while (n != 1) {
    if (n % 2 == 0) {
      n = n / 2;
    } else {
      n = 3 * n + 1;
    }
    steps++;
  }
  return steps;
}

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

export function _start(): void {
  put("primes below 5000: ");
  putInt(countPrimes(5000));
  flush();

  let best = 1;
  let bestSteps = 0;
  for (let i = 1; i < 3000; i++) {
    const s = collatzSteps(i);
    if (s > bestSteps) {
      best = i;
      bestSteps = s;
    }
  }
  put("longest Collatz chain below 3000: ");
  putInt(best);
  put(" (");
  putInt(bestSteps);
  put(" steps)");
  flush();

  let sum = 0;
  for (let a = 1; a <= 40; a++) {
    for (let b = 1; b <= 40; b++) {
      sum += gcd(a, b);
    }
  }
  put("gcd sum: ");
  putInt(sum);
  flush();
}
