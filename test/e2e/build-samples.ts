// Builds the sample apps the e2e coverage tests run (the C sample with DWARF 4, a trapping one and one
// without debug info, via test/support/samples.ts)
// before VS Code starts; the suite also calls it when the app is missing. Prints the app's path, or a
// reason on stderr and exit code 3 when the toolchain is missing (the suite then skips its coverage tests).
// Run: node --import tsx test/e2e/build-samples.ts
import { buildCNoDebugSample, buildCSample, buildCTrapSample, SKIP_NO_CLANG } from '../support/samples.js';

if (SKIP_NO_CLANG) {
    console.error(SKIP_NO_CLANG);
    process.exit(3);
}
console.log(buildCSample(4));
console.log(buildCTrapSample());
console.log(buildCNoDebugSample());
