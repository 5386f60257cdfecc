// Every test renders as the command line does (cli/composition.ts): scope digests cover reachability.
import { scopeReachLines } from '../policies/network/scope-reach';
import { installScopeReachability } from '../stacks/reach';

installScopeReachability(scopeReachLines);
