// Task and step states (docs/api.md "States"): a text label and a colour class, so colour is never the only signal.

const NAMES = {
  1: ['Running', 'running'],
  2: ['Pending', 'pending'],
  3: ['Paused', 'paused'],
  4: ['Skipped', 'skipped'],
  [-255]: ['Killed', 'killed'],
  [-256]: ['Timed out', 'timeout'],
  [-999]: ['System error', 'error'],
};

/** {label, cls} of a state number and exit code (state 0 = finished: succeeded or failed). */
export function describe(state, code) {
  if (state === 0) return code === 0 ? { label: 'Succeeded', cls: 'ok' } : { label: `Failed (code ${code})`, cls: 'failed' };
  const [label, cls] = NAMES[state] ?? [`State ${state}`, 'pending'];
  return { label, cls };
}

/** The X-Task-STATE header's names as numbers. */
export const HEADER_STATES = { Stop: 0, Running: 1, Pending: 2, Paused: 3, Skipped: 4, Killed: -255, Timeout: -256, 'System Error': -999 };

/** True once nothing more will change. */
export const isFinal = (state) => ![1, 2, 3].includes(state);

/** The filter choices of the task list: label and test. */
export const FILTERS = [
  ['all', 'All states', () => true],
  ['running', 'Running', (t) => t.state === 1],
  ['pending', 'Pending', (t) => t.state === 2],
  ['paused', 'Paused', (t) => t.state === 3],
  ['succeeded', 'Succeeded', (t) => t.state === 0 && t.code === 0],
  ['failed', 'Failed', (t) => t.state === 0 && t.code !== 0],
  ['killed', 'Killed', (t) => t.state === -255],
  ['timeout', 'Timed out', (t) => t.state === -256],
  ['error', 'System error', (t) => t.state === -999],
];
