import { marketApiSuite } from './api-suite.ts';

marketApiSuite();
