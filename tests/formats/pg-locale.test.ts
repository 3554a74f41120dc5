/**
 * Translated server messages, as PostgreSQL 15 wrote them with lc_messages set to each language it ships (recorded
 * with `node scripts/scenarios/peers.mjs --set lc_messages=<ll_CC>.UTF-8`; the locales built with localedef): per
 * language, a parse, bind and execute line of one extended-protocol query, a simple statement, then the
 * `connection authorized` and `connection received` lines of one session.
 */
import { describe, expect, it } from 'vitest';
import { englishConnectionMessage, MessageTranslator } from '../../src/formats/pg-locale.js';

const RECORDED: Record<string, string[]> = {
  "de": ["Dauer: 0.388 ms  Parsen <unnamed>: SELECT t.oid", "Dauer: 0.693 ms  Binden <unnamed>: SELECT t.oid", "Dauer: 0.293 ms  Ausführen <unnamed>: SELECT t.oid", "Dauer: 0.159 ms  Anweisung: SELECT 1", "Verbindung autorisiert: Benutzer=postgres Datenbank=app application_name=peers-seed", "Verbindung empfangen: Host=127.0.0.1 Port=41238"],
  "es": ["duración: 0.439 ms  parse: <unnamed>: SELECT t.oid", "duración: 0.880 ms  bind <unnamed>: SELECT t.oid", "duración: 0.283 ms  ejecutar <unnamed>: SELECT t.oid", "duración: 0.197 ms  sentencia: SELECT 1", "conexión autorizada: usuario=postgres base_de_datos=app nombre_de_aplicación=peers-seed", "conexión recibida: host=127.0.0.1 port=41438"],
  "fr": ["durée : 0.442 ms, analyse <unnamed> : SELECT t.oid", "durée : 0.764 ms, lien <unnamed> : SELECT t.oid", "durée : 0.254 ms  exécute <unnamed>: SELECT t.oid", "durée : 0.154 ms, instruction : SELECT 1", "connexion autorisée : utilisateur=postgres base de données app application_name=peers-seed", "connexion reçue : hôte=127.0.0.1 port=33960"],
  "it": ["durata: 0.524 ms  analisi di <unnamed>: SELECT t.oid", "durata: 0.921 ms  bind <unnamed>: SELECT t.oid", "durata: 0.303 ms  esecuzione di <unnamed>: SELECT t.oid", "durata: 0.164 ms  istruzione: SELECT 1", "connessione autorizzata: utente=postgres database app application_name=peers-seed", "connessione ricevuta: host=127.0.0.1 porta=37090"],
  "ja": ["期間: 0.589 ミリ秒  パース<unnamed> : SELECT t.oid", "期間: 0.918 ミリ秒  バインド <unnamed>: SELECT t.oid", "期間: 0.292 ミリ秒  実行 <unnamed>: SELECT t.oid", "期間: 0.161 ミリ秒  文: SELECT 1", "接続の認証完了: ユーザー=postgres データベース=app application_name=peers-seed", "接続を受け付けました: ホスト=127.0.0.1 ポート番号=34972"],
  "ka": ["ხანგრძლივობა: 0.389 მწმ  <unnamed>-ის დამუშავება: SELECT t.oid", "ხანგრძლივობა: 0.591 მწმ  მიბმა <unnamed>: SELECT t.oid", "ხანგრძლივობა: 0.265 მწმs  გაშვება <unnamed>: SELECT t.oid", "ხანგრძლივობა: 0.201 მწმ  გამოსახულება: SELECT 1", "შეერთება ავტორიზებულია: მომხმარებელი=postgres ბაზა=app აპლიკაციის_სახელი=peers-seed", "შემოსული დაკავშირება: ჰოსტი=127.0.0.1 პორტი=51874"],
  "ko": ["실행시간: 0.584 ms  <unnamed> 구문분석: SELECT t.oid", "실행시간: 0.944 ms  <unnamed> 접속: SELECT t.oid", "수행시간: 0.288 ms  쿼리실행 <unnamed>: SELECT t.oid", "실행시간: 0.151 ms  명령 구문: SELECT 1", "연결 인증: user=postgres database=app application_name=peers-seed", "접속 수락: host=127.0.0.1 port=55686"],
  "ru": ["продолжительность: 0.654 мс, разбор <unnamed>: SELECT t.oid", "продолжительность: 0.677 мс, сообщение Bind <unnamed>: SELECT t.oid", "продолжительность: 0.247 мс  выполнение <unnamed>: SELECT t.oid", "продолжительность: 0.140 мс, оператор: SELECT 1", "подключение авторизовано: пользователь=postgres база=app приложение=peers-seed", "принято подключение: узел=127.0.0.1 порт=34176"],
  "sv": ["varaktighet: 0.479 ms  parse <unnamed>: SELECT t.oid", "varaktighet: 0.854 ms  bind <unnamed>: SELECT t.oid", "varaktighet: 0.292 ms  kör <unnamed>: SELECT t.oid", "varaktighet: 0.163 ms  sats: SELECT 1", "anslutning auktoriserad: användare=postgresdatabas=app applikationsnamn=peers-seed", "ansluting mottagen: värd=127.0.0.1 port=45546"],
  "uk": ["тривалість: 0.458 мс, аналізування <unnamed>: SELECT t.oid", "тривалість: 0.632 мс, повідомлення bind <unnamed>: SELECT t.oid", "тривалість: 0.302 мс виконувати <unnamed>: SELECT t.oid", "тривалість: 0.152 мс, оператор: SELECT 1", "підключення авторизовано: користувач=postgres database=app application_name=peers-seed", "з'єднання отримано: хост=127.0.0.1 порт=52108"],
  "zh_CN": ["执行时间: 0.568 ms  解析 <unnamed>: SELECT t.oid", "执行时间: 0.951 ms 绑定<unnamed>: SELECT t.oid", "执行时间: 0.319 ms 执行<unnamed>: SELECT t.oid", "执行时间: 0.156 ms 语句: SELECT 1", "connection authorized: user=postgres database=app application_name=peers-seed", "已接收到连接: 主机=127.0.0.1 端口=51042"],
};

const duration = (m: string) => /\d+\.\d+/.exec(m)![0];

describe.each(Object.entries(RECORDED))('lc_messages %s', (_lang, [parse, bind, execute, statement, authorized, received]) => {
  it('parse, bind and execute lines read as the English ones, names and SQL kept', () => {
    const t = new MessageTranslator();
    expect(t.translate(parse!)).toBe(`duration: ${duration(parse!)} ms  parse <unnamed>: SELECT t.oid`);
    expect(t.translate(bind!)).toBe(`duration: ${duration(bind!)} ms  bind <unnamed>: SELECT t.oid`);
    expect(t.translate(execute!)).toBe(`duration: ${duration(execute!)} ms  execute <unnamed>: SELECT t.oid`);
    expect(t.translate(statement!)).toBe(`duration: ${duration(statement!)} ms  statement: SELECT 1`);
  });

  it('the connection lines read as the English ones, with their values', () => {
    expect(englishConnectionMessage(authorized!)).toBe('connection authorized: user=postgres database=app application_name=peers-seed');
    expect(englishConnectionMessage(received!)).toMatch(/^connection received: host=127\.0\.0\.1 \S+=\d+$/);
  });
});

describe('messages that only look like translated ones', () => {
  it('a zh_CN duration line is not an execute, though both start with 执行', () => {
    expect(new MessageTranslator().translate('执行时间: 0.156 ms')).toBe('duration: 0.156 ms');
  });
  it('an English message is no translated connection line', () => {
    expect(englishConnectionMessage('checkpoint starting: time')).toBeNull();
  });
});
