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
  durParse?: string;
  durBind?: string;
  stmt?: string;
  params?: string;
  exec?: string;
  disc?: string;
}

const MESSAGES: Record<string, LocaleMessages> = {
  "de": {"durStmt": "Dauer: %s ms  Anweisung: %s", "dur": "Dauer: %s ms", "durExec": "Dauer: %s ms  %s %s%s%s: %s", "stmt": "Anweisung: %s", "params": "Parameter: %s", "exec": "Ausführen", "disc": "Verbindungsende: Sitzungszeit: ", "durParse": "Dauer: %s ms  Parsen %s: %s", "durBind": "Dauer: %s ms  Binden %s%s%s: %s"},
  "es": {"durStmt": "duración: %s ms  sentencia: %s", "dur": "duración: %s ms", "durExec": "duración: %s ms  %s %s%s%s: %s", "stmt": "sentencia: %s", "params": "parámetros: %s", "exec": "ejecutar", "disc": "desconexión: duración de sesión: ", "durParse": "duración: %s ms  parse: %s: %s", "durBind": "duración: %s ms  bind %s%s%s: %s"},
  "fr": {"durStmt": "durée : %s ms, instruction : %s", "dur": "durée : %s ms", "durExec": "durée : %s ms  %s %s%s%s: %s", "stmt": "instruction : %s", "params": "paramètres : %s", "exec": "exécute", "disc": "déconnexion : durée de la session : ", "durParse": "durée : %s ms, analyse %s : %s", "durBind": "durée : %s ms, lien %s%s%s : %s"},
  "it": {"durStmt": "durata: %s ms  istruzione: %s", "dur": "durata: %s ms", "durExec": "durata: %s ms  %s %s%s%s: %s", "stmt": "istruzione: %s", "params": "parametri: %s", "exec": "esecuzione di", "disc": "disconnessione: tempo della sessione: ", "durParse": "durata: %s ms  analisi di %s: %s", "durBind": "durata: %s ms  bind %s%s%s: %s"},
  "ru": {"durStmt": "продолжительность: %s мс, оператор: %s", "dur": "продолжительность: %s мс", "durExec": "продолжительность: %s мс  %s %s%s%s: %s", "stmt": "оператор: %s", "params": "параметры: %s", "exec": "выполнение", "disc": "отключение: время сеанса: ", "durParse": "продолжительность: %s мс, разбор %s: %s", "durBind": "продолжительность: %s мс, сообщение Bind %s%s%s: %s"},
  "ja": {"durStmt": "期間: %s ミリ秒  文: %s", "dur": "期間: %s ミリ秒", "durExec": "期間: %s ミリ秒  %s %s%s%s: %s", "stmt": "文: %s", "params": "パラメータ: %s", "exec": "実行", "disc": "接続を切断: セッション時間: ", "durParse": "期間: %s ミリ秒  パース%s : %s", "durBind": "期間: %s ミリ秒  バインド %s%s%s: %s"},
  "sv": {"durStmt": "varaktighet: %s ms  sats: %s", "dur": "varaktighet %s ms", "durExec": "varaktighet: %s ms  %s %s%s%s: %s", "stmt": "sats: %s", "params": "parametrar: %s", "exec": "kör", "disc": "nedkoppling: sessionstid: ", "durParse": "varaktighet: %s ms  parse %s: %s", "durBind": "varaktighet: %s ms  bind %s%s%s: %s"},
  "ko": {"durStmt": "실행시간: %s ms  명령 구문: %s", "dur": "실행시간: %s ms", "durExec": "수행시간: %s ms  %s %s%s%s: %s", "stmt": "명령 구문: %s", "params": "매개 변수: %s", "exec": "쿼리실행", "disc": "연결종료: 세션 시간: ", "durParse": "실행시간: %s ms  %s 구문분석: %s", "durBind": "실행시간: %s ms  %s%s%s 접속: %s"},
  "uk": {"durStmt": "тривалість: %s мс, оператор: %s", "dur": "тривалість: %s мс", "durExec": "тривалість: %s мс %s %s%s%s: %s", "stmt": "оператор: %s", "params": "параметри: %s", "exec": "виконувати", "disc": "відключення: час сеансу: ", "durParse": "тривалість: %s мс, аналізування %s: %s", "durBind": "тривалість: %s мс, повідомлення bind %s%s%s: %s"},
  "zh_CN": {"durStmt": "执行时间: %s ms 语句: %s", "dur": "执行时间: %s ms", "durExec": "执行时间: %s ms %s%s%s%s: %s", "stmt": "语句: %s", "params": "参数: %s", "exec": "执行", "disc": "断开连接: 会话时间: ", "durParse": "执行时间: %s ms  解析 %s: %s", "durBind": "执行时间: %s ms 绑定%s%s%s: %s"},
  "ka": {"durStmt": "ხანგრძლივობა: %s მწმ  გამოსახულება: %s", "dur": "ხანგრძლივობა: %s მწმ", "durExec": "ხანგრძლივობა: %s მწმs  %s %s%s%s: %s", "stmt": "ოპერატორი: %s", "params": "პარამეტრები: %s", "exec": "გაშვება", "durParse": "ხანგრძლივობა: %s მწმ  %s-ის დამუშავება: %s", "durBind": "ხანგრძლივობა: %s მწმ  მიბმა %s%s%s: %s"},
};

/**
 * `connection received: host=` translated; `connection authorized` is printed in three translated pieces (user, then
 * database, then application_name); `[unknown]` stands for a prefix field not known yet (%u, %d, %a on a
 * `connection received` line). From the same catalogs; languages that keep the English piece still list it.
 */
interface ConnectionMessages {
  received: string;
  auth: string;
  authDb: string;
  authApp: string;
  unknown: string;
}

const CONNECTION: Record<string, ConnectionMessages> = {
  "de": {"auth": "Verbindung autorisiert: Benutzer=%s", "authDb": " Datenbank=%s", "authApp": " application_name=%s", "unknown": "[unbekannt]", "received": "Verbindung empfangen: Host=%s"},
  "es": {"auth": "conexión autorizada: usuario=%s", "authDb": " base_de_datos=%s", "authApp": " nombre_de_aplicación=%s", "unknown": "[desconocido]", "received": "conexión recibida: host=%s"},
  "fr": {"auth": "connexion autorisée : utilisateur=%s", "authDb": " base de données %s", "authApp": " application_name=%s", "unknown": "[inconnu]", "received": "connexion reçue : hôte=%s"},
  "it": {"auth": "connessione autorizzata: utente=%s", "authDb": " database %s", "authApp": " application_name=%s", "unknown": "[sconosciuto]", "received": "connessione ricevuta: host=%s"},
  "ja": {"auth": "接続の認証完了: ユーザー=%s", "authDb": " データベース=%s", "authApp": " application_name=%s", "unknown": "[不明]", "received": "接続を受け付けました: ホスト=%s"},
  "ka": {"auth": "შეერთება ავტორიზებულია: მომხმარებელი=%s", "authDb": " ბაზა=%s", "authApp": " აპლიკაციის_სახელი=%s", "unknown": "[უცნობი]", "received": "შემოსული დაკავშირება: ჰოსტი=%s"},
  "ko": {"auth": "연결 인증: user=%s", "authDb": " database=%s", "authApp": " application_name=%s", "unknown": "[알수없음]", "received": "접속 수락: host=%s"},
  "ru": {"auth": "подключение авторизовано: пользователь=%s", "authDb": " база=%s", "authApp": " приложение=%s", "unknown": "[н/д]", "received": "принято подключение: узел=%s"},
  "sv": {"auth": "anslutning auktoriserad: användare=%s", "authDb": "databas=%s", "authApp": " applikationsnamn=%s", "unknown": "[okänd]", "received": "ansluting mottagen: värd=%s"},
  "uk": {"auth": "підключення авторизовано: користувач=%s", "authDb": " database=%s", "authApp": " application_name=%s", "unknown": "[unknown]", "received": "з'єднання отримано: хост=%s"},
  "zh_CN": {"auth": "connection authorized: user=%s", "authDb": " database=%s", "authApp": " application_name=%s", "unknown": "[未知]", "received": "已接收到连接: 主机=%s"},
};

const UNKNOWN_VALUES = new Set(['[unknown]', ...Object.values(CONNECTION).map((a) => a.unknown)]);

/** Whether a prefix field's value is PostgreSQL's `[unknown]` (in any language): the field is not known on that line. */
export function isUnknownValue(v: string): boolean {
  return v.charCodeAt(0) === 91 && UNKNOWN_VALUES.has(v);
}

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
  /** between the execute word and the statement name in the duration form */
  durExecSep: string;
  /** the pieces around [duration, statement name, SQL] of the parse and bind lines */
  durParse: string[] | null;
  durBind: string[] | null;
  stmt: string | null;
  params: string | null;
  exec: string | null;
  /** the pieces of `connection authorized` before each value: user, database, application */
  auth: [string, string, string] | null;
  disc: string | null;
}

const head = (f: string | undefined): string | null => (f === undefined ? null : f.slice(0, f.indexOf('%s') < 0 ? f.length : f.indexOf('%s')));
const two = (f: string | undefined): [string, string] | null => {
  if (f === undefined) return null;
  const p = f.split('%s');
  return p.length >= 2 ? [p[0]!, p[1]!] : null;
};

/** A format with [duration, name, SQL]; bind's `%s%s%s` (statement name, `/`, portal name) is one name. */
const named = (f: string | undefined): string[] | null => {
  const p = f?.replace('%s%s%s', '%s').split('%s');
  return p !== undefined && p.length === 4 && p[3] === '' ? p : null;
};

const COMPILED: Compiled[] = Object.entries(MESSAGES).map(([lang, m]) => ({
  lang,
  durStmt: two(m.durStmt),
  dur: two(m.dur),
  durExec: two(m.durExec),
  durExecSep: m.durExec?.split('%s')[2] ?? ' ',
  durParse: named(m.durParse),
  durBind: named(m.durBind),
  stmt: head(m.stmt),
  params: head(m.params),
  exec: m.exec ?? null,
  auth: CONNECTION[lang] ? [head(CONNECTION[lang]!.auth)!, head(CONNECTION[lang]!.authDb)!, head(CONNECTION[lang]!.authApp)!] : null,
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

/**
 * Where the statement name starts after the translated word for "execute" at `at` and the separator the catalog puts
 * after it (a space, none in zh_CN's duration form: `执行<unnamed>:`), or -1 when what follows is not `name: ` (a name
 * has no spaces): another message that starts with that word (zh_CN's `执行时间` is "duration").
 */
function execName(message: string, at: number, sep: string): number {
  if (!message.startsWith(sep, at)) return -1;
  const from = at + sep.length;
  return EXEC_NAME.test(message.slice(from, from + 200)) ? from : -1;
}

const EXEC_NAME = /^\S+: /;

/** [duration, name, SQL] of a message of the shape `pieces` (see named), or null. */
function readNamed(pieces: string[], message: string): [string, string, string] | null {
  const [before, afterMs, afterName] = pieces as [string, string, string];
  if (!message.startsWith(before)) return null;
  const a = message.indexOf(afterMs, before.length);
  if (a < 0) return null;
  const ms = message.slice(before.length, a);
  if (!DURATION.test(ms)) return null;
  const b = message.indexOf(afterName, a + afterMs.length);
  if (b < 0) return null;
  const name = message.slice(a + afterMs.length, b);
  return name === '' || /\s/.test(name) ? null : [ms, name, message.slice(b + afterName.length)];
}

function translateWith(c: Compiled, message: string): string | null {
  if (c.durStmt) {
    const d = durationAfter(message, c.durStmt);
    if (d) return `duration: ${d.ms} ms  statement: ${message.slice(d.rest)}`;
  }
  if (c.durExec && c.exec) {
    const d = durationAfter(message, c.durExec);
    const name = d && message.startsWith(c.exec, d.rest) ? execName(message, d.rest + c.exec.length, c.durExecSep) : -1;
    if (name >= 0) return `duration: ${d!.ms} ms  execute ${message.slice(name)}`;
  }
  // parse and bind lines: read so that the DETAIL after a bind is its own, not the statement before
  const parse = c.durParse && readNamed(c.durParse, message);
  if (parse) return `duration: ${parse[0]} ms  parse ${parse[1]}: ${parse[2]}`;
  const bind = c.durBind && readNamed(c.durBind, message);
  if (bind) return `duration: ${bind[0]} ms  bind ${bind[1]}: ${bind[2]}`;
  if (c.dur) {
    const d = durationAfter(message, c.dur);
    if (d && d.rest === message.length) return `duration: ${d.ms} ms`;
  }
  if (c.stmt && message.startsWith(c.stmt)) return `statement: ${message.slice(c.stmt.length)}`;
  if (c.exec && message.startsWith(c.exec)) {
    const name = execName(message, c.exec.length, ' ');
    if (name >= 0) return `execute ${message.slice(name)}`;
  }
  if (c.params && message.startsWith(c.params)) return `parameters: ${message.slice(c.params.length)}`;
  return sessionLineWith(c, message);
}

/** `connection authorized` and `disconnection` in one language, in English, or null. */
function sessionLineWith(c: Compiled, message: string): string | null {
  if (c.auth && message.startsWith(c.auth[0])) return englishAuthorized(c.auth, message);
  if (c.disc && message.startsWith(c.disc)) return `disconnection: session time: ${message.slice(c.disc.length)}`;
  return null;
}

/** `connection authorized: user=U database=D application_name=A…` from its translation, whose keys are translated too. */
function englishAuthorized([userKey, dbKey, appKey]: [string, string, string], message: string): string {
  const db = message.indexOf(dbKey, userKey.length);
  if (db < 0) return `connection authorized: user=${message.slice(userKey.length)}`;
  const user = message.slice(userKey.length, db);
  const app = message.indexOf(appKey, db + dbKey.length);
  const database = message.slice(db + dbKey.length, app < 0 ? message.length : app);
  const rest = app < 0 ? '' : ` application_name=${message.slice(app + appKey.length)}`;
  return `connection authorized: user=${user} database=${database}${rest}`;
}

const RECEIVED_HEADS = Object.values(CONNECTION).map((c) => head(c.received)!);

/**
 * The English form of a translated `connection received`, `connection authorized` or `disconnection` message (the
 * lines readers keep sessions by), or null when the message is none of these. Only for a severity that translates
 * to LOG: the caller has the English message already when the severity is LOG itself.
 */
export function englishConnectionMessage(message: string): string | null {
  for (const h of RECEIVED_HEADS) if (message.startsWith(h)) return `connection received: host=${message.slice(h.length)}`;
  for (const c of COMPILED) {
    const english = sessionLineWith(c, message);
    if (english !== null) return english;
  }
  return null;
}
