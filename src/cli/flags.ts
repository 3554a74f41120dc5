/** The options of analyze and verify as commander hands them over: one module both commands read, neither owns. */

export interface VerifyFlags {
  verifyDsn?: string;
  /** `sqloupe verify`: verify even when only the PG* environment names the database. */
  verify?: boolean;
  allowWrites?: boolean;
  finding?: string[];
  statementTimeout?: string;
}

export interface AnalyzeFlags extends VerifyFlags {
  format: string;
  output?: string;
  inputFormat?: string;
  prefix?: string;
  logTimezone?: string;
  since?: string;
  until?: string;
  database?: string;
  user?: string;
  application?: string;
  minRepeats: string;
  minParentRepeats?: string;
  idleGap: string;
  failOn: string;
  top: string;
  quiet?: boolean;
  color?: boolean;
  // reports and automation (issue 7): config file, baseline, e-mail digest, progress
  config?: string;
  baseline?: string;
  writeBaseline?: string;
  worseFactor?: string;
  worseMinTime?: string;
  to?: string;
  from?: string;
  subject?: string;
  send?: string;
  always?: boolean;
  /** issue 17: the HTML page goes along with the e-mail digest */
  htmlAttachment?: boolean;
  progress?: boolean;
  // robustness (issue 9): no literal or parameter value in any output
  redact?: boolean;
  // issue 8: follow growing files, findings as their units of work close; threads; mergeable state
  follow?: boolean;
  jobs?: string;
  saveState?: string;
  merge?: boolean;
}
