/** The `tatami` command line. More commands (runs, show, resume, serve) arrive with the run store. */
import { trainCommand } from './train-command'

const HELP = `Usage: tatami <command> [options]

Commands:
  train EXPERIMENT.json   train a network from an experiment file (tatami train --help)`

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'train':
      return trainCommand(rest)
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP + '\n')
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`tatami: unknown command "${command}"\n\n${HELP}\n`)
      return 2
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`tatami: ${err.message}\n`)
      process.exit(1)
    }
  )
}
