# sqloupe fixture app: ActiveRecord (Debian ruby-activerecord + ruby-pg) without Rails, against a throwaway PostgreSQL.
#
# Runs authors/books/reviews "requests" with planted database loops (N+1 over has_many, a count per
# author, per-row create!) and the same jobs set-based (includes, group.count, insert_all) as negative
# controls. The ActiveRecord log goes to stdout; the ground truth (statements counted with
# ActiveSupport::Notifications.subscribe('sql.active_record'), and the planted loops) to --truth.
#
#   ruby scripts/orm/rails/ar_app.rb --port 5432 --log dev|production --truth t.json > out.log
#
# dev:        Rails development style: message-only lines, ANSI colors, verbose_query_logs (↳ file:line).
# production: Ruby's Logger::Formatter prefix with the pid, TaggedLogging with a request id per request,
#             no colors. (Production's default level is :info; this log is at :debug to show SQL.)
#             With --logfile FILE the log goes to FILE, opened by Logger itself as Rails does for
#             log/production.log, so it starts with Logger's "# Logfile created on …" header line.
# Request lines: ActionPack/Railties are not loaded here, so the app writes the "Started …" and
# "Completed …" lines itself, with the format strings of Rails::Rack::Logger#started_request_message and
# ActionController::LogSubscriber#process_action.
require 'json'
require 'logger'
require 'optparse'
require 'securerandom'
require 'active_record'

opts = { host: '127.0.0.1', port: 5432, log: 'dev' }
OptionParser.new do |o|
  o.on('--host HOST') { |v| opts[:host] = v }
  o.on('--port PORT') { |v| opts[:port] = Integer(v) }
  o.on('--log MODE') { |v| opts[:log] = v }
  o.on('--truth FILE') { |v| opts[:truth] = v }
  o.on('--logfile FILE') { |v| opts[:logfile] = v }
end.parse!
abort 'usage: ar_app.rb --port N --log dev|production --truth FILE' unless opts[:truth]

$stdout.sync = true
ROOT = File.expand_path('../../..', __dir__) + '/'

if opts[:log] == 'dev'
  logger = ActiveSupport::Logger.new($stdout)
  logger.formatter = ActiveSupport::Logger::SimpleFormatter.new
  ActiveRecord::Base.logger = logger
  ActiveRecord::Base.verbose_query_logs = true
  ActiveRecord::LogSubscriber.colorize_logging = true
  cleaner = ActiveSupport::BacktraceCleaner.new
  cleaner.add_filter { |line| line.delete_prefix(ROOT) }
  cleaner.add_silencer { |line| !line.start_with?('scripts/') }
  ActiveRecord::LogSubscriber.backtrace_cleaner = cleaner
else
  # --logfile: Logger.new(path) creates the file itself and writes its "# Logfile created on … by logger.rb/v…" header
  logger = ActiveSupport::TaggedLogging.new(Logger.new(opts[:logfile] || $stdout))
  logger.formatter = Logger::Formatter.new.extend(ActiveSupport::TaggedLogging::Formatter)
  ActiveRecord::Base.logger = logger
  ActiveRecord::LogSubscriber.colorize_logging = false
end
logger.level = Logger::DEBUG

truth = { 'statements' => 0, 'begin' => 0, 'commit' => 0, 'rollback' => 0, 'cached' => 0, 'schema' => 0 }
ActiveSupport::Notifications.subscribe('sql.active_record') do |*, payload|
  if payload[:cached]
    truth['cached'] += 1
  elsif %w[SCHEMA EXPLAIN].include?(payload[:name])
    truth['schema'] += 1 # executed, but the log subscriber does not log these names
  else
    case payload[:sql].strip.upcase
    when 'BEGIN' then truth['begin'] += 1
    when 'COMMIT' then truth['commit'] += 1
    when 'ROLLBACK' then truth['rollback'] += 1
    else truth['statements'] += 1
    end
  end
end

ActiveRecord::Base.establish_connection(adapter: 'postgresql', host: opts[:host], port: opts[:port],
                                        username: 'postgres', database: 'app')

class Author < ActiveRecord::Base
  has_many :books, -> { order(:id) }
end

class Book < ActiveRecord::Base
  belongs_to :author
  has_many :reviews, -> { order(:id) }
end

class Review < ActiveRecord::Base
  belongs_to :book
end

AUTHORS = 5
BOOKS_PER_AUTHOR = 3

def request(logger, verb, path, tagged)
  started = Time.now
  body = proc do
    logger.info "Started #{verb} #{path.inspect} for 127.0.0.1 at #{started}"
    yield
    ms = ((Time.now - started) * 1000).round
    logger.info "Completed 200 OK in #{ms}ms (ActiveRecord: 0.0ms | Allocations: 0)"
    logger.info ''
  end
  tagged ? logger.tagged(SecureRandom.uuid, &body) : body.call
end

tagged = opts[:log] != 'dev'
conn = ActiveRecord::Base.connection
conn.execute('DROP TABLE IF EXISTS reviews, books, authors')
conn.create_table(:authors) { |t| t.string :name, null: false }
conn.create_table(:books) do |t|
  t.references :author, null: false, foreign_key: true
  t.string :title, null: false
end
conn.create_table(:reviews) do |t|
  t.references :book, null: false, foreign_key: true
  t.integer :stars, null: false
  t.string :body
end

loops = []
now = Time.now
Author.insert_all((1..AUTHORS).map { |a| { id: a, name: "author #{a}" } })
Book.insert_all((1..AUTHORS).flat_map do |a|
  (1..BOOKS_PER_AUTHOR).map { |b| { id: (a - 1) * BOOKS_PER_AUTHOR + b, author_id: a, title: "book #{a}.#{b}" } }
end)
conn.execute("SELECT setval('books_id_seq', #{AUTHORS * BOOKS_PER_AUTHOR})")

request(logger, 'GET', '/authors', tagged) do
  titles = 0
  Author.order(:id).each { |a| a.books.each { |b| titles += b.title.size } }
  loops << { 'kind' => 'n-plus-one', 'table' => 'books', 'repeats' => AUTHORS, 'job' => 'books per author (lazy has_many)' }
end

request(logger, 'GET', '/authors/counts', tagged) do
  Author.order(:id).map { |a| [a.id, a.books.count] }
  loops << { 'kind' => 'aggregate-loop', 'table' => 'books', 'repeats' => AUTHORS, 'job' => 'books.count per author' }
end

request(logger, 'POST', '/reviews', tagged) do
  n = 0
  Book.order(:id).each do |b|
    Review.create!(book: b, stars: (b.id % 5) + 1, body: "review of #{b.title}")
    n += 1
  end
  loops << { 'kind' => 'per-row-insert', 'table' => 'reviews', 'repeats' => n, 'job' => 'Review.create! per book (each in its own transaction)' }
end

request(logger, 'GET', '/authors?eager=1', tagged) do
  Author.includes(:books).order(:id).each { |a| a.books.each(&:title) }
  Book.group(:author_id).count
  Review.insert_all((1..AUTHORS * BOOKS_PER_AUTHOR).map { |b| { book_id: b, stars: 3, body: 'bulk' } })
end

request(logger, 'GET', '/authors/1', tagged) do
  ActiveRecord::Base.cache do
    Author.find(1)
    Author.find(1) # answered by the query cache: a CACHE line, no statement
  end
  Author.transaction do
    Author.where(id: 1).update_all(name: 'author one')
    raise ActiveRecord::Rollback
  end
end

File.write(opts[:truth], JSON.pretty_generate({
  'orm' => 'activerecord', 'version' => ActiveRecord.version.to_s, 'log' => opts[:log],
  'counted_with' => "ActiveSupport::Notifications 'sql.active_record': statements excludes BEGIN/COMMIT/ROLLBACK, query-cache hits and SCHEMA/EXPLAIN queries (which the log subscriber does not log)",
  'requests' => 5,
  'callsites' => opts[:log] == 'dev',
  'loops' => loops,
  'controls' => ['includes(:books)', 'group(:author_id).count', 'insert_all']
}.merge(truth)) + "\n")
