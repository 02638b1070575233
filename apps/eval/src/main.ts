import { buildEvalProgram } from './cli.js';

await buildEvalProgram().parseAsync(process.argv);
