/** The `tatami` command line. */
import { StoreError } from '../store/errors'
import { UsageError } from './db'
import { dataCommand } from './data-command'
import { resumeCommand } from './resume-command'
import { runsCommand } from './runs-command'
import { serveCommand } from './serve-command'
import { exportCommand } from './export-command'
import { importCommand } from './import-command'
import { showCommand } from './show-command'
import { confusionCommand } from './confusion-command'
import { trainCommand } from './train-command'

const HELP = `Usage: tatami <command> [options]

Commands:
  train EXPERIMENT.json   train a network from an experiment file (tatami train --help);
                          with --db PATH the run is logged into the run database
  runs                    list the runs of the run database (tatami runs --help)
  show RUN                a run's details, epochs and checkpoints (tatami show --help)
  confusion RUN           a run's confusion matrix and most confident mistakes (tatami confusion --help)
  resume RUN              continue a paused, stopped or interrupted run (tatami resume --help)
  export RUN              write a run's model as ONNX, PyTorch or a .tatami file (tatami export --help)
  import FILE             read a .tatami or Tatami-exported .onnx file into the network library (tatami import --help)
  data                    import, list, remove and download datasets (tatami data --help)
  serve                   the workbench over HTTP on 127.0.0.1 with a per-launch token (tatami serve --help)

The run database: --db PATH, else $TATAMI_DB, else ~/.config/tatami/tatami.sqlite (the app's
user-data folder on Linux). Folders are created as needed.`

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  train: trainCommand,
  runs: runsCommand,
  show: showCommand,
  confusion: confusionCommand,
  resume: resumeCommand,
  serve: serveCommand,
  export: exportCommand,
  import: importCommand,
  data: dataCommand
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP + '\n')
      return command === undefined ? 2 : 0
  }
  const run = COMMANDS[command]
  if (!run) {
    process.stderr.write(`tatami: unknown command "${command}"\n\n${HELP}\n`)
    return 2
  }
  try {
    return await run(rest)
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message + '\n')
      return 2
    }
    if (err instanceof StoreError) {
      process.stderr.write(`tatami ${command}: ${err.message}\n`)
      return 1
    }
    throw err
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
