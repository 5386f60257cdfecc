import { describe, expect, it } from '@jest/globals';
import { cronProblem } from '../core/cron';

/**
 * What robfig/cron v3.0.1's ParseStandard (the parser Velero reads Schedule.spec.schedule with) answered
 * for each expression: "ok" or its error. Produced by running that release's parser.go on the list (a Go
 * program reading one expression per line and printing ParseStandard's error), not written by hand.
 */
const ROBFIG_V3_0_1: readonly (readonly [string, string])[] = [
  ["0 1 * * *", "ok"],
  ["0 * * * *", "ok"],
  ["0 */4 * * *", "ok"],
  ["*/15 * * * *", "ok"],
  ["0 0 1,15 * mon-fri", "ok"],
  ["0 0 * JAN-mar SUN", "ok"],
  ["0 0 * * 7", "end of range (7) above maximum (6): 7"],
  ["0 0 * * 0", "ok"],
  ["0 0 * * 6", "ok"],
  ["0 0 0 * *", "beginning of range (0) below minimum (1): 0"],
  ["0 0 32 * *", "end of range (32) above maximum (31): 32"],
  ["0 24 * * *", "end of range (24) above maximum (23): 24"],
  ["60 * * * *", "end of range (60) above maximum (59): 60"],
  ["0 0 * 0 *", "beginning of range (0) below minimum (1): 0"],
  ["0 0 * 13 *", "end of range (13) above maximum (12): 13"],
  ["5/10 * * * *", "ok"],
  ["1-5/0 * * * *", "step of range should be a positive number: 1-5/0"],
  ["*/0 * * * *", "step of range should be a positive number: */0"],
  ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
  ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
  ["*/2/3 * * * *", "too many slashes: */2/3"],
  ["0 0 L * *", "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax"],
  ["0 0 * * 1#2", "failed to parse int from 1#2: strconv.Atoi: parsing \"1#2\": invalid syntax"],
  ["0 0 ? * *", "ok"],
  ["0 0 * * ?", "ok"],
  [", * * * *", "ok"],
  ["1,,2 * * * *", "ok"],
  ["+5 * * * *", "ok"],
  ["-5 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"],
  ["*/-1 * * * *", "negative number (-1) not allowed: -1"],
  ["*-5 * * * *", "ok"],
  ["99 99 99 99 banana", "end of range (99) above maximum (59): 99"],
  ["0 1 * *", "expected exactly 5 fields, found 4: [0 1 * *]"],
  ["0 1 * * * *", "expected exactly 5 fields, found 6: [0 1 * * * *]"],
  ["@daily", "ok"],
  ["0 0 * * MON,wed,Fri", "ok"],
  ["0 0 * feb-JAN *", "beginning of range (2) beyond end of range (1): feb-JAN"],
  ["0 0 * * sunday", "failed to parse int from sunday: strconv.Atoi: parsing \"sunday\": invalid syntax"],
  ["0 0 15W * *", "failed to parse int from 15W: strconv.Atoi: parsing \"15W\": invalid syntax"],
  ["00 01 * * *", "ok"],
  ["9223372036854775808 * * * *", "failed to parse int from 9223372036854775808: strconv.Atoi: parsing \"9223372036854775808\": value out of range"],
  ["0 0 1-31/2 * *", "ok"],
  ["0-59/60 * * * *", "ok"],
  ["* * * * *", "ok"],
  ["?/5 * * * *", "ok"],
  ["0 0 */32 * *", "ok"],
  ["0 0 5-/2 * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"]

];

/** Where ndc is deliberately stricter than Velero, and why. */
const STRICTER = new Map([
  [', * * * *', 'lists no value, so the schedule would never run'],
  ['@daily', 'must be a five-field cron expression'],
]);

describe('backup schedules are checked as Velero parses them (robfig/cron v3)', () => {
  it.each(ROBFIG_V3_0_1)('%s: Velero answers %s', (expression, velero) => {
    const problem = cronProblem(expression);
    const stricter = STRICTER.get(expression);
    if (stricter !== undefined) {
      expect(velero).toBe('ok');
      expect(problem).toContain(stricter);
    } else if (velero === 'ok') {
      expect(problem).toBeUndefined();
    } else {
      expect(problem).toBeDefined();
    }
  });

  it('names the field and the value it refuses, in the words of the parser', () => {
    expect(cronProblem('0 0 * * 7')).toBe('is not a valid cron expression: day of week "7": 7 is above the field\'s maximum 6');
    expect(cronProblem('0 0 0 * *')).toBe('is not a valid cron expression: day of month "0": 0 is below the field\'s minimum 1');
    expect(cronProblem('0 0 L * *')).toBe('is not a valid cron expression: day of month "L": "L" is not a number');
    expect(cronProblem('*/0 * * * *')).toBe('is not a valid cron expression: minute "*/0": the step of "*/0" must be a positive number');
    expect(cronProblem('0 0 * feb-JAN *')).toBe('is not a valid cron expression: month "feb-JAN": the range "feb-JAN" starts after it ends');
    expect(cronProblem('0 1 * *')).toBe('must be a five-field cron expression, e.g. "0 1 * * *" (has 4 fields)');
  });
});
