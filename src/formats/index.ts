/** Registry of log formats, sorted by id. Adding a format = one file in this folder + one line here + one fixture. */
import type { LogFormat } from './types.js';
import django from './django.js';
import gorm from './gorm.js';
import hibernate from './hibernate.js';
import pgCloudsql from './pg-cloudsql.js';
import pgCnpg from './pg-cnpg.js';
import pgCsv from './pg-csv.js';
import pgJson from './pg-json.js';
import pgStderr from './pg-stderr.js';
import pgSyslog from './pg-syslog.js';
import prisma from './prisma.js';
import rails from './rails.js';
import sequelize from './sequelize.js';
import sqlalchemy from './sqlalchemy.js';
import typeorm from './typeorm.js';

export const formats: LogFormat[] = [
  // one import per format, listed below in id order
  django,
  gorm,
  hibernate,
  pgCloudsql,
  pgCnpg,
  pgCsv,
  pgJson,
  pgStderr,
  pgSyslog,
  prisma,
  rails,
  sequelize,
  sqlalchemy,
  typeorm,
];

export function formatById(id: string): LogFormat | undefined {
  return formats.find((f) => f.id === id);
}
