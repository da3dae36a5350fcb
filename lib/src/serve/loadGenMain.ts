// Entry point of the load-generator process (measureHttpLoad): options as JSON on stdin, result as JSON on stdout.
import { runLoad, type LoadOptions } from './loadGen.js';

let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  runLoad(JSON.parse(input) as LoadOptions).then(
    (r) => { process.stdout.write(JSON.stringify(r)); },
    (e) => { console.error(e); process.exitCode = 1; },
  );
});
