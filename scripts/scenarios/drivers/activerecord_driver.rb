# ActiveRecord 6.1 driver (Debian ruby-activerecord + ruby-pg), without Rails: lazy associations
# (belongs_to, has_many, has_one, has_many :through, polymorphic has_many :as) and per-row create!/
# update!/destroy!/find_or_create_by! in the loops (a hash memo where an app would cache: ActiveRecord has
# no identity map); includes, insert_all, update_all, delete_all, group.sum and DISTINCT ON for the
# controls. The ActiveRecord log (development style, with verbose_query_logs call sites) goes to the
# scenario's ORM log file.
#
#   ruby scripts/scenarios/drivers/activerecord_driver.rb <spec.json>
require 'json'
require 'logger'
require 'active_record'
require_relative 'arlog'

spec = JSON.parse(File.read(ARGV[0]))

class Author < ActiveRecord::Base
  has_many :books, -> { order(:id) }
  has_one :profile
end

class Profile < ActiveRecord::Base
  belongs_to :author
end

class Tag < ActiveRecord::Base; end

class Tagging < ActiveRecord::Base
  belongs_to :book
  belongs_to :tag
end

class Comment < ActiveRecord::Base
  belongs_to :commentable, polymorphic: true
end

class Book < ActiveRecord::Base
  belongs_to :author
  has_many :taggings
  has_many :tags, through: :taggings
  has_many :comments, as: :commentable
end

class Holder < ActiveRecord::Base; end
class Series < ActiveRecord::Base
  self.table_name = 'series'
end

class Debenture < ActiveRecord::Base
  belongs_to :holder
  belongs_to :series, class_name: 'Series'
end

class Review < ActiveRecord::Base
  belongs_to :book
end

class Label < ActiveRecord::Base; end

class Ctx
  attr_reader :k, :n, :tag
  attr_accessor :after_parent

  def initialize(sc, rnd, n, counter)
    @sc = sc
    @k = sc['size']
    @n = n
    @tag = "#{sc['app']}-r#{n}"
    @rnd = rnd
    @counter = counter
    @after_parent = ->(_table) {}
  end

  def pause
    case @sc['rhythm']
    when 'slow' then sleep(0.003)
    when 'jitter' then sleep(@rnd.rand * 0.010)
    end
  end

  def each(items)
    items.each do |x|
      @counter.call
      yield x
      pause
    end
  end
end

def memo
  h = {}
  ->(key, &load) { h.key?(key) ? h[key] : (h[key] = load.call) }
end

POS = {
  'belongs-to' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    c.each(books) { |b| b.author.name }
  },
  'identity-map-dedup' => ->(c) {
    books = Book.where('author_id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    m = memo
    c.each(books) { |b| m.call(b.author_id) { b.author.name } }
  },
  'has-many' => ->(c) {
    authors = Author.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('authors')
    c.each(authors) { |a| a.books.to_a }
  },
  'has-one' => ->(c) {
    authors = Author.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('authors')
    c.each(authors) { |a| a.profile&.bio }
  },
  'has-many-through' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    c.each(books) { |b| b.tags.to_a }
  },
  'polymorphic' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    c.each(books) { |b| b.comments.to_a }
  },
  'two-relations' => ->(c) {
    ds = Debenture.where(batch: c.k).order(:id).to_a
    c.after_parent.call('debentures')
    h = memo
    s = memo
    c.each(ds) do |d|
      h.call(d.holder_id) { d.holder.name }
      s.call(d.series_id) { d.series.name }
    end
  },
  'per-row-insert' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    c.each(books) { |b| Review.create!(book_id: b.id, stars: 1 + b.id % 5, body: c.tag) }
  },
  'per-row-update' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('books')
    c.each(books) { |b| b.update!(price: b.price + 1) }
  },
  'per-row-delete' => ->(c) {
    Review.insert_all((1..c.k).map { |i| { book_id: i, stars: 1, body: c.tag } })
    rows = Review.where(body: c.tag).order(:id).to_a
    c.after_parent.call('reviews')
    c.each(rows, &:destroy!)
  },
  'aggregate' => ->(c) {
    authors = Author.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('authors')
    c.each(authors) { |a| a.books.sum(:price) }
  },
  'latest-per-parent' => ->(c) {
    authors = Author.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('authors')
    c.each(authors) { |a| Book.where(author_id: a.id).order(created_at: :desc).first }
  },
  'get-or-create' => ->(c) {
    authors = Author.where('id <= ?', c.k).order(:id).to_a
    c.after_parent.call('authors')
    c.each(authors) { |a| Label.find_or_create_by!(name: "#{c.tag}:#{a.id}") }
  },
  'independent-requests' => ->(c) { Author.find(c.n + 1).books.to_a },
}

NEG = {
  'belongs-to' => ->(c) { Book.where('id <= ?', c.k).order(:id).includes(:author).to_a },
  'identity-map-dedup' => ->(c) { Book.where('author_id <= ?', c.k).order(:id).includes(:author).to_a },
  'has-many' => ->(c) { Author.where('id <= ?', c.k).order(:id).includes(:books).to_a },
  'has-one' => ->(c) { Author.where('id <= ?', c.k).order(:id).includes(:profile).to_a },
  'has-many-through' => ->(c) { Book.where('id <= ?', c.k).order(:id).includes(:tags).to_a },
  'polymorphic' => ->(c) { Book.where('id <= ?', c.k).order(:id).includes(:comments).to_a },
  'two-relations' => ->(c) { Debenture.where(batch: c.k).order(:id).includes(:holder, :series).to_a },
  'per-row-insert' => ->(c) {
    books = Book.where('id <= ?', c.k).order(:id).to_a
    Review.insert_all(books.map { |b| { book_id: b.id, stars: 1 + b.id % 5, body: c.tag } })
  },
  'per-row-update' => ->(c) {
    ids = Book.where('id <= ?', c.k).pluck(:id)
    Book.where(id: ids).update_all('price = price + 1')
  },
  'per-row-delete' => ->(c) {
    Review.insert_all((1..c.k).map { |i| { book_id: i, stars: 1, body: c.tag } })
    Review.where(id: Review.where(body: c.tag).pluck(:id)).delete_all
  },
  'aggregate' => ->(c) { Book.where('author_id <= ?', c.k).group(:author_id).sum(:price) },
  'latest-per-parent' => ->(c) {
    Book.select('DISTINCT ON (author_id) books.*').where('author_id <= ?', c.k).order(:author_id, created_at: :desc).to_a
  },
  'get-or-create' => ->(c) {
    names = (1..c.k).map { |i| "#{c.tag}:#{i}" }
    Label.insert_all(names.map { |n| { name: n } })
    Label.where(name: names).to_a
  },
}
NEG['independent-requests'] = POS['independent-requests']

ArLog.call_sites!

results = {}
pg = spec['pg']
spec['scenarios'].each do |sc|
  logger = ArLog.to_file!(sc['ormLog'])
  pooled = sc['connection'] == 'pool'
  ActiveRecord::Base.establish_connection(adapter: 'postgresql', host: pg['host'], port: pg['port'], username: pg['user'],
                                          database: pg['database'], pool: pooled ? (sc['poolSize'] || 3) : 1, application_name: sc['app'])
  rnd = Random.new(sc['seed'] * 31 + (sc['role'] == 'neg' ? 1 : 0))
  count = 0
  lock = Mutex.new
  counter = -> { lock.synchronize { count += 1 } }
  requests = sc['shape'] == 'independent-requests' ? sc['size'] : (pooled ? spec['pool']['requests'] : 1)
  concurrency = pooled ? spec['pool']['connections'] : 1
  nxt = 0
  fn = (sc['role'] == 'neg' ? NEG : POS).fetch(sc['shape'])
  worker = lambda do
    loop do
      n = lock.synchronize { nxt < requests ? (nxt += 1) - 1 : nil }
      break if n.nil?
      ActiveRecord::Base.connection_pool.with_connection do |conn|
        c = Ctx.new(sc, rnd, n, counter)
        done = false
        c.after_parent = lambda do |table|
          next if sc['connection'] != 'dedicated' || done
          done = true
          conn.columns(table) # the catalog queries a first touch of a table makes
        end
        if sc['connection'] == 'transaction'
          ActiveRecord::Base.transaction { fn.call(c) }
        else
          fn.call(c)
        end
        c.pause if sc['shape'] == 'independent-requests'
      end
    end
  end
  if concurrency == 1
    worker.call
  else
    Array.new(concurrency) { Thread.new(&worker) }.each(&:join)
  end
  ActiveRecord::Base.connection_pool.disconnect!
  ActiveRecord::Base.remove_connection
  logger.close
  results[sc['app']] = { 'iterations' => count }
  warn "  #{sc['app']} #{sc['shape']} #{sc['connection']} #{sc['rhythm']} k=#{sc['size']}: #{count} iterations"
end
File.write(spec['results'], JSON.pretty_generate(results) + "\n")
