import { DataSource } from 'typeorm';
import { loadConfigFromProcess } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

/** The data source the TypeORM CLI uses, built from the same validated configuration as the app. */
export default buildDataSourceOptions(loadConfigFromProcess().database).then((options) => new DataSource(options));
