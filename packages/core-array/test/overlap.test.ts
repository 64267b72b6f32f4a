import { overlapProperties } from './overlap-suite.js';

overlapProperties('js', ['js']);
