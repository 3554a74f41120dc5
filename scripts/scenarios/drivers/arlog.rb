# What both ActiveRecord drivers set up the same way: call sites relative to the repository in the log
# (verbose_query_logs, our scripts only, no colours), and a development-style log file per scenario.
require 'logger'
require 'active_record'

module ArLog
  ROOT = File.expand_path('../../..', __dir__) + '/'

  def self.call_sites!
    cleaner = ActiveSupport::BacktraceCleaner.new
    cleaner.add_filter { |line| line.delete_prefix(ROOT) }
    cleaner.add_silencer { |line| !line.start_with?('scripts/') }
    ActiveRecord::LogSubscriber.backtrace_cleaner = cleaner
    ActiveRecord::Base.verbose_query_logs = true
    ActiveRecord::LogSubscriber.colorize_logging = false
  end

  # ActiveRecord's log of one scenario goes to its own file, as a development log does.
  def self.to_file!(path)
    logger = ActiveSupport::Logger.new(path)
    logger.formatter = ActiveSupport::Logger::SimpleFormatter.new
    logger.level = Logger::DEBUG
    ActiveRecord::Base.logger = logger
    logger
  end
end
