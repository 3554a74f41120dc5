/** Translated PostgreSQL server messages (lc_messages other than English) mapped back to the English forms the interpreter reads. */

/**
 * The msgstr of each message sqloupe reads, per language, as PostgreSQL 15's own catalogs (postgres-15.mo)
 * translate them. `%s` marks where PostgreSQL substitutes a value. Only what statement logging needs is here:
 * durations, statements, extended-protocol executes, bind parameters, connections.
 */
interface LocaleMessages {
  durStmt?: string;
  dur?: string;
  durExec?: string;
  stmt?: string;
  params?: string;
  exec?: string;
  auth?: string;
  disc?: string;
}

const MESSAGES: Record<string, LocaleMessages> = {
  "de": {"durStmt": "Dauer: %s ms  Anweisung: %s", "dur": "Dauer: %s ms", "durExec": "Dauer: %s ms  %s %s%s%s: %s", "stmt": "Anweisung: %s", "params": "Parameter: %s", "exec": "Ausführen", "auth": "Verbindung autorisiert:", "disc": "Verbindungsende: Sitzungszeit: "},
  "es": {"durStmt": "duración: %s ms  sentencia: %s", "dur": "duración: %s ms", "durExec": "duración: %s ms  %s %s%s%s: %s", "stmt": "sentencia: %s", "params": "parámetros: %s", "exec": "ejecutar", "auth": "conexión autorizada:", "disc": "desconexión: duración de sesión: "},
  "fr": {"durStmt": "durée : %s ms, instruction : %s", "dur": "durée : %s ms", "durExec": "durée : %s ms  %s %s%s%s: %s", "stmt": "instruction : %s", "params": "paramètres : %s", "exec": "exécute", "auth": "connexion autorisée :", "disc": "déconnexion : durée de la session : "},
  "it": {"durStmt": "durata: %s ms  istruzione: %s", "dur": "durata: %s ms", "durExec": "durata: %s ms  %s %s%s%s: %s", "stmt": "istruzione: %s", "params": "parametri: %s", "exec": "esecuzione di", "auth": "connessione autorizzata:", "disc": "disconnessione: tempo della sessione: "},
  "ru": {"durStmt": "продолжительность: %s мс, оператор: %s", "dur": "продолжительность: %s мс", "durExec": "продолжительность: %s мс  %s %s%s%s: %s", "stmt": "оператор: %s", "params": "параметры: %s", "exec": "выполнение", "auth": "подключение авторизовано:", "disc": "отключение: время сеанса: "},
  "ja": {"durStmt": "期間: %s ミリ秒  文: %s", "dur": "期間: %s ミリ秒", "durExec": "期間: %s ミリ秒  %s %s%s%s: %s", "stmt": "文: %s", "params": "パラメータ: %s", "exec": "実行", "auth": "接続の認証完了:", "disc": "接続を切断: セッション時間: "},
  "sv": {"durStmt": "varaktighet: %s ms  sats: %s", "dur": "varaktighet %s ms", "durExec": "varaktighet: %s ms  %s %s%s%s: %s", "stmt": "sats: %s", "params": "parametrar: %s", "exec": "kör", "auth": "anslutning auktoriserad:", "disc": "nedkoppling: sessionstid: "},
  "ko": {"durStmt": "실행시간: %s ms  명령 구문: %s", "dur": "실행시간: %s ms", "durExec": "수행시간: %s ms  %s %s%s%s: %s", "stmt": "명령 구문: %s", "params": "매개 변수: %s", "exec": "쿼리실행", "auth": "연결 인증:", "disc": "연결종료: 세션 시간: "},
  "uk": {"durStmt": "тривалість: %s мс, оператор: %s", "dur": "тривалість: %s мс", "durExec": "тривалість: %s мс %s %s%s%s: %s", "stmt": "оператор: %s", "params": "параметри: %s", "exec": "виконувати", "auth": "підключення авторизовано:", "disc": "відключення: час сеансу: "},
  "zh_CN": {"durStmt": "执行时间: %s ms 语句: %s", "dur": "执行时间: %s ms", "durExec": "执行时间: %s ms %s%s%s%s: %s", "stmt": "语句: %s", "params": "参数: %s", "exec": "执行", "disc": "断开连接: 会话时间: "},
  "ka": {"durStmt": "ხანგრძლივობა: %s მწმ  გამოსახულება: %s", "dur": "ხანგრძლივობა: %s მწმ", "durExec": "ხანგრძლივობა: %s მწმs  %s %s%s%s: %s", "stmt": "ოპერატორი: %s", "params": "პარამეტრები: %s", "exec": "გაშვება", "auth": "შეერთება ავტორიზებულია:"},
};

/** Translated severity words (and the prefixes of DETAIL/STATEMENT lines) → English. One word each: the prefix matcher reads one word. */
const SEVERITIES: Record<string, string> = {
  "FEHLER": 'ERROR', "PANIK": 'PANIC', "WARNUNG": 'WARNING', "HINWEIS": 'NOTICE', "ANWEISUNG": 'STATEMENT', "TIPP": 'HINT',
  "ZUSAMMENHANG": 'CONTEXT', "ANFRAGE": 'QUERY', "DETALLE": 'DETAIL', "SENTENCIA": 'STATEMENT', "CONTEXTO": 'CONTEXT', "CONSULTA": 'QUERY',
  "ERREUR": 'ERROR', "ATTENTION": 'WARNING', "DÉTAIL": 'DETAIL', "INSTRUCTION": 'STATEMENT', "ASTUCE": 'HINT', "CONTEXTE": 'CONTEXT',
  "REQUÊTE": 'QUERY', "ERRORE": 'ERROR', "FATALE": 'FATAL', "PANICO": 'PANIC', "ATTENZIONE": 'WARNING', "NOTIFICA": 'NOTICE',
  "DETTAGLI": 'DETAIL', "ISTRUZIONE": 'STATEMENT', "SUGGERIMENTO": 'HINT', "CONTESTO": 'CONTEXT', "ОШИБКА": 'ERROR', "ВАЖНО": 'FATAL',
  "ПАНИКА": 'PANIC', "ПРЕДУПРЕЖДЕНИЕ": 'WARNING', "СООБЩЕНИЕ": 'LOG', "ЗАМЕЧАНИЕ": 'NOTICE', "ИНФОРМАЦИЯ": 'INFO', "ОТЛАДКА": 'DEBUG',
  "ПОДРОБНОСТИ": 'DETAIL', "ОПЕРАТОР": 'STATEMENT', "ПОДСКАЗКА": 'HINT', "КОНТЕКСТ": 'CONTEXT', "ЗАПРОС": 'QUERY', "詳細": 'DETAIL',
  "文": 'STATEMENT', "ヒント": 'HINT', "文脈": 'CONTEXT', "問い合わせ": 'QUERY', "FEL": 'ERROR', "FATALT": 'FATAL',
  "VARNING": 'WARNING', "LOGG": 'LOG', "NOTIS": 'NOTICE', "DETALJ": 'DETAIL', "SATS": 'STATEMENT', "TIPS": 'HINT',
  "KONTEXT": 'CONTEXT', "FRÅGA": 'QUERY', "오류": 'ERROR', "치명적오류": 'FATAL', "손상": 'PANIC', "경고": 'WARNING',
  "로그": 'LOG', "알림": 'NOTICE', "정보": 'INFO', "디버그": 'DEBUG', "상세정보": 'DETAIL', "힌트": 'HINT',
  "내용": 'CONTEXT', "쿼리": 'QUERY', "ПОМИЛКА": 'ERROR', "ФАТАЛЬНО": 'FATAL', "ПАНІКА": 'PANIC', "ПОПЕРЕДЖЕННЯ": 'WARNING',
  "ЗАПИСУВАННЯ": 'LOG', "ПОВІДОМЛЕННЯ": 'NOTICE', "ІНФОРМАЦІЯ": 'INFO', "НАЛАГОДЖЕННЯ": 'DEBUG', "ВІДОМОСТІ": 'DETAIL', "ІНСТРУКЦІЯ": 'STATEMENT',
  "УКАЗІВКА": 'HINT', "ЗАПИТ": 'QUERY', "错误": 'ERROR', "致命错误": 'FATAL', "警告": 'WARNING', "日志": 'LOG',
  "注意": 'NOTICE', "信息": 'INFO', "调试": 'DEBUG', "详细信息": 'DETAIL', "语句": 'STATEMENT', "提示": 'HINT',
  "上下文": 'CONTEXT', "查询": 'QUERY', "შეცდომა": 'ERROR', "ფატალური": 'FATAL', "პანიკა": 'PANIC', "გაფრთხილება": 'WARNING',
  "ჟურნალი": 'LOG', "ინფორმაცია": 'INFO', "გამართვა": 'DEBUG', "დეტალები": 'DETAIL', "ოპერატორი": 'STATEMENT', "მინიშნება": 'HINT',
  "კონტექსტი": 'CONTEXT', "მოთხოვნა": 'QUERY',
};

const SEVERITY_MAP = new Map(Object.entries(SEVERITIES));

/** The English severity for a translated one, or undefined. */
export function englishSeverity(word: string): string | undefined {
  return SEVERITY_MAP.get(word);
}

interface Compiled {
  lang: string;
  /** [before the duration, between the duration and the SQL] */
  durStmt: [string, string] | null;
  dur: [string, string] | null;
  /** [before the duration, after "ms" up to the execute word] */
  durExec: [string, string] | null;
  stmt: string | null;
  params: string | null;
  exec: string | null;
  auth: string | null;
  disc: string | null;
}

const head = (f: string | undefined): string | null => (f === undefined ? null : f.slice(0, f.indexOf('%s') < 0 ? f.length : f.indexOf('%s')));
const two = (f: string | undefined): [string, string] | null => {
  if (f === undefined) return null;
  const p = f.split('%s');
  return p.length >= 2 ? [p[0]!, p[1]!] : null;
};

const COMPILED: Compiled[] = Object.entries(MESSAGES).map(([lang, m]) => ({
  lang,
  durStmt: two(m.durStmt),
  dur: two(m.dur),
  durExec: two(m.durExec),
  stmt: head(m.stmt),
  params: head(m.params),
  exec: m.exec ?? null,
  auth: m.auth ?? null,
  disc: m.disc ?? null,
}));

// PostgreSQL prints durations as "%ld.%03d" whatever the locale
const DURATION = /^\d+(?:\.\d+)?$/;

/** Reads translated messages; remembers the language that matched last so a log costs one table lookup per message. */
export class MessageTranslator {
  private last: Compiled | null = null;
  /** The language of the last translated message, for doctor and inputs[].facts. */
  language: string | null = null;

  /** The English form of a translated LOG or DETAIL message, or null when it is none sqloupe reads. */
  translate(message: string): string | null {
    if (this.last !== null) {
      const t = translateWith(this.last, message);
      if (t !== null) return t;
    }
    for (const c of COMPILED) {
      if (c === this.last) continue;
      const t = translateWith(c, message);
      if (t !== null) {
        this.last = c;
        this.language = c.lang;
        return t;
      }
    }
    return null;
  }
}

function durationAfter(message: string, pair: [string, string]): { ms: string; rest: number } | null {
  if (!message.startsWith(pair[0])) return null;
  const j = message.indexOf(pair[1], pair[0].length);
  if (j < 0) return null;
  const ms = message.slice(pair[0].length, j);
  return DURATION.test(ms) ? { ms, rest: j + pair[1].length } : null;
}

function translateWith(c: Compiled, message: string): string | null {
  if (c.durStmt) {
    const d = durationAfter(message, c.durStmt);
    if (d) return `duration: ${d.ms} ms  statement: ${message.slice(d.rest)}`;
  }
  if (c.durExec && c.exec) {
    const d = durationAfter(message, c.durExec);
    if (d && message.startsWith(c.exec + ' ', d.rest)) return `duration: ${d.ms} ms  execute ${message.slice(d.rest + c.exec.length + 1)}`;
  }
  if (c.dur) {
    const d = durationAfter(message, c.dur);
    if (d && d.rest === message.length) return `duration: ${d.ms} ms`;
  }
  if (c.stmt && message.startsWith(c.stmt)) return `statement: ${message.slice(c.stmt.length)}`;
  if (c.exec && message.startsWith(c.exec + ' ')) {
    const rest = message.slice(c.exec.length + 1);
    // "execute <name>: SQL" — the name has no spaces; anything else is another message that starts with the same word
    if (/^\S+: /.test(rest)) return `execute ${rest}`;
  }
  if (c.params && message.startsWith(c.params)) return `parameters: ${message.slice(c.params.length)}`;
  if (c.auth && message.startsWith(c.auth)) return `connection authorized: ${message.slice(c.auth.length).trimStart()}`;
  if (c.disc && message.startsWith(c.disc)) return `disconnection: session time: ${message.slice(c.disc.length)}`;
  return null;
}
