# ActiveRecord 6.1 driver of the peers set (scripts/scenarios/peers.mjs): the association shapes of
# Bullet's detector specs and Prosopite's query tests, on our own models, each case as a positive (the
# lazy loop) and a negative control (includes / preload / counter cache / group). The ActiveRecord log
# (development style, verbose_query_logs) goes to the case's ORM log file.
#
#   ruby scripts/scenarios/drivers/peers_activerecord.rb <spec.json>
require 'json'
require 'logger'
require 'active_record'
require_relative 'arlog'

spec = JSON.parse(File.read(ARGV[0]))

class Category < ActiveRecord::Base
  has_many :posts, -> { order(:id) }
  has_many :entries
end

class User < ActiveRecord::Base
  self.inheritance_column = :_no_sti
end

class Post < ActiveRecord::Base
  belongs_to :category
  belongs_to :writer, class_name: 'User'
  has_many :comments, -> { order(:id) }
  has_and_belongs_to_many :deals
end

class Comment < ActiveRecord::Base
  belongs_to :post
  belongs_to :author, class_name: 'User'
end

class Entry < ActiveRecord::Base
  belongs_to :category
end

class Deal < ActiveRecord::Base
  has_and_belongs_to_many :posts
end

class Student < ActiveRecord::Base
  has_and_belongs_to_many :teachers
end

class Teacher < ActiveRecord::Base
  has_and_belongs_to_many :students
end

class Group < ActiveRecord::Base; end

class Client < ActiveRecord::Base
  belongs_to :group
  has_many :relationships
end

class Relationship < ActiveRecord::Base
  belongs_to :firm
  belongs_to :client
end

class Firm < ActiveRecord::Base
  has_many :relationships
  has_many :clients, through: :relationships
end

class Address < ActiveRecord::Base
  belongs_to :company
end

class Company < ActiveRecord::Base
  has_one :address
end

class Document < ActiveRecord::Base
  belongs_to :author, class_name: 'User'
end

class Page < Document; end
class Folder < Document; end

class Role < ActiveRecord::Base
  belongs_to :resource, polymorphic: true
end

class City < ActiveRecord::Base
  belongs_to :country
end

class Country < ActiveRecord::Base
  has_many :cities
end

class Pet < ActiveRecord::Base
  belongs_to :person, counter_cache: true
end

class Person < ActiveRecord::Base
  self.table_name = 'people'
  has_many :pets
end

class Leg < ActiveRecord::Base
  belongs_to :chair
end

class Chair < ActiveRecord::Base
  has_many :legs, -> { order(:id) }
  has_many :feet, class_name: 'Leg'
end

class ArmChair < Chair; end

PRELOAD = ->(records, assoc) { ActiveRecord::Associations::Preloader.new.preload(records, assoc) }

POS = {
  'b01' => -> { Post.order(:id).each { |p| p.comments.map(&:name) } },
  'b02' => -> { Post.order(:id).each { |p| p.comments.count } },
  'b03' => -> { Post.order(:id).each { |p| p.comments.empty? } },
  'b04' => -> { Category.order(:id).each { |c| c.posts.each { |p| p.comments.map(&:name) } } },
  'b05' => -> { Category.includes(:posts).order(:id).each { |c| c.posts.each { |p| p.comments.map(&:name) } } },
  'b06' => -> { Category.order(:id).each { |c| c.posts.map(&:name); c.entries.map(&:name) } },
  'b07' => -> { Comment.order(:id).each { |c| c.post.name } },
  'b08' => -> { Comment.order(:id).each { |c| c.post.category.name } },
  'b09' => -> { Post.order(:id).each { |p| p.writer.name; p.category.name } },
  'b10' => -> { Post.order(:id).each { |p| p.deals.map(&:name) } },
  'b11' => -> { Student.order(:id).each { |s| s.teachers.map(&:name) } },
  'b12' => -> { Firm.order(:id).each { |f| f.clients.map(&:name) } },
  'b13' => -> { Firm.order(:id).each { |f| f.clients.each { |c| c.group.name } } },
  'b14' => -> { Company.order(:id).each { |c| c.address.name } },
  'b15' => -> { Page.order(:id).each { |p| p.author.name } },
  'b16' => -> { Role.order(:id).each(&:resource) },
  'b17' => -> { Country.order(:id).each { |c| c.cities.size } },
  'r01' => -> { Chair.last(20).each { |c| c.legs.first } },
  'r02' => -> { Chair.last(3).each { |c| c.legs.last } },
  'r03' => -> { Chair.last(3).each { |c| c.legs.pluck(:id) } },
  'r04' => -> { Chair.last(2).map { |c| c.becomes(ArmChair) }.each { |ac| ac.legs.map(&:id) } },
  'r05' => -> { Leg.where(name: ['leg 1.1', 'leg 2.1', 'leg 3.1', 'leg 4.1']).order(:id).each(&:chair) },
  'r06' => -> { Chair.last(3).each { |c| PRELOAD.call([c], :legs); c.legs.to_a } },
}

NEG = {
  'b01' => -> { Post.includes(:comments).order(:id).each { |p| p.comments.map(&:name) } },
  'b02' => -> { Comment.group(:post_id).count },
  'b03' => -> { Post.includes(:comments).order(:id).each { |p| p.comments.empty? } },
  'b04' => -> { Category.includes(posts: :comments).order(:id).each { |c| c.posts.each { |p| p.comments.map(&:name) } } },
  'b05' => -> { Category.includes(posts: :comments).order(:id).each { |c| c.posts.each { |p| p.comments.map(&:name) } } },
  'b06' => -> { Category.includes(:posts, :entries).order(:id).each { |c| c.posts.map(&:name); c.entries.map(&:name) } },
  'b07' => -> { Comment.includes(:post).order(:id).each { |c| c.post.name } },
  'b08' => -> { Comment.includes(post: :category).order(:id).each { |c| c.post.category.name } },
  'b09' => -> { Post.includes(:writer, :category).order(:id).each { |p| p.writer.name; p.category.name } },
  'b10' => -> { Post.includes(:deals).order(:id).each { |p| p.deals.map(&:name) } },
  'b11' => -> { Student.includes(:teachers).order(:id).each { |s| s.teachers.map(&:name) } },
  'b12' => -> { Firm.includes(:clients).order(:id).each { |f| f.clients.map(&:name) } },
  'b13' => -> { Firm.includes(clients: :group).order(:id).each { |f| f.clients.each { |c| c.group.name } } },
  'b14' => -> { Company.includes(:address).order(:id).each { |c| c.address.name } },
  'b15' => -> { Page.includes(:author).order(:id).each { |p| p.author.name } },
  'b16' => -> { Role.preload(:resource).order(:id).each(&:resource) },
  'b17' => -> { Person.order(:id).each { |p| p.pets.size } },
  'b18' => -> { Comment.order(:id).first.post.name; Country.order(:id).first.cities.size },
  'r01' => -> { Chair.includes(:legs).last(20).each { |c| c.legs.first } },
  'r02' => -> { Chair.includes(:legs).last(3).each { |c| c.legs.last } },
  'r03' => -> { Leg.where(chair_id: Chair.last(3).map(&:id)).pluck(:chair_id, :id) },
  'r04' => -> { ArmChair.includes(:legs).last(2).each { |ac| ac.legs.map(&:id) } },
  'r05' => -> { Leg.includes(:chair).where(name: ['leg 1.1', 'leg 2.1', 'leg 3.1', 'leg 4.1']).order(:id).each(&:chair) },
  'r06' => -> { cs = Chair.last(3); PRELOAD.call(cs, :legs); cs.each { |c| c.legs.to_a } },
  'r07' => -> { Chair.includes(:legs, :feet).last(3) },
  'r08' => -> { Chair.last.legs.pluck(:id); 1.times { Chair.last.legs.pluck(:name) } },
}

ArLog.call_sites!

results = {}
pg = spec['pg']
spec['scenarios'].each do |sc|
  logger = ArLog.to_file!(sc['ormLog'])
  ActiveRecord::Base.establish_connection(adapter: 'postgresql', host: pg['host'], port: pg['port'], username: pg['user'],
                                          database: pg['database'], pool: 1, application_name: sc['app'])
  fn = (sc['role'] == 'neg' ? NEG : POS).fetch(sc['id'])
  if sc['connection'] == 'transaction'
    # as a transactional test does: the example in a transaction that is rolled back
    ActiveRecord::Base.transaction do
      fn.call
      raise ActiveRecord::Rollback
    end
  else
    fn.call
  end
  ActiveRecord::Base.connection_pool.disconnect!
  ActiveRecord::Base.remove_connection
  logger.close
  results[sc['app']] = { 'iterations' => sc['role'] == 'neg' ? 0 : sc['size'] }
  warn "  #{sc['app']} #{sc['shape']} #{sc['connection']}"
end
File.write(spec['results'], JSON.pretty_generate(results) + "\n")
