import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermissions } from '../auth/decorators';
import { Permission } from '../auth/permissions';
import { Page, PageQueryDto, Paginated } from '../common/pagination/pagination';
import { ApiProblemResponses } from '../common/problem/problem.openapi';
import {
  CountryParamsDto,
  SetShippingRateDto,
  SetTaxRateDto,
  ShippingRateDto,
  ShippingRateParamsDto,
  TaxRateDto,
} from './dto/pricing.dto';
import { PricingService } from './pricing.service';

const LOCATION = (example: string) => ({
  description: 'Path of the created rate.',
  required: true,
  schema: { type: 'string' as const, maxLength: 200, example },
});

@ApiTags('Pricing')
@Controller({ path: 'shipping-rates', version: '1' })
@RequirePermissions(Permission.PricingWrite)
export class ShippingRatesController {
  constructor(private readonly pricing: PricingService) {}

  @Get()
  @ApiOperation({
    operationId: 'listShippingRates',
    summary: 'List shipping rates',
    description: 'Every rate, by country then currency. Checkout charges the rate for the shipping country and the cart\'s currency. Cursor-paginated.',
  })
  @Paginated(ShippingRateDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: PageQueryDto): Promise<Page<ShippingRateDto>> {
    return this.pricing.listShippingRates(query);
  }

  @Get(':country/:currency')
  @ApiOperation({
    operationId: 'getShippingRate',
    summary: 'Get the shipping rate to a country in a currency',
    description: 'What checkout charges for shipping an order to this country in this currency; 404 when none is set (checkout then answers 422).',
  })
  @ApiOkResponse({ type: ShippingRateDto, description: 'The rate.' })
  @ApiProblemResponses(400, 404, 429)
  get(@Param() params: ShippingRateParamsDto): Promise<ShippingRateDto> {
    return this.pricing.getShippingRate(params.country, params.currency);
  }

  @Put(':country/:currency')
  @ApiOperation({
    operationId: 'setShippingRate',
    summary: 'Set the shipping rate to a country in a currency',
    description: 'Creates the rate (201) or replaces it (200). Without a rate, checkout to that country in that currency is refused (422).',
  })
  @ApiOkResponse({ type: ShippingRateDto, description: 'The rate was replaced.' })
  @ApiCreatedResponse({ type: ShippingRateDto, description: 'The rate was created.', headers: { Location: LOCATION('/v1/shipping-rates/DE/EUR') } })
  @ApiProblemResponses(400, 429)
  async set(
    @Param() params: ShippingRateParamsDto,
    @Body() body: SetShippingRateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ShippingRateDto> {
    const { rate, created } = await this.pricing.setShippingRate(params.country, params.currency, body.amount);
    void reply.status(created ? 201 : 200);
    if (created) void reply.header('location', `/v1/shipping-rates/${rate.country}/${rate.currency}`);
    return rate;
  }

  @Delete(':country/:currency')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteShippingRate', summary: 'Delete the shipping rate to a country in a currency', description: 'Checkout to that country in that currency is refused afterwards (422).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses(400, 404, 429)
  async remove(@Param() params: ShippingRateParamsDto): Promise<void> {
    await this.pricing.deleteShippingRate(params.country, params.currency);
  }
}

@ApiTags('Pricing')
@Controller({ path: 'tax-rates', version: '1' })
@RequirePermissions(Permission.PricingWrite)
export class TaxRatesController {
  constructor(private readonly pricing: PricingService) {}

  @Get()
  @ApiOperation({
    operationId: 'listTaxRates',
    summary: 'List tax rates',
    description: 'Every country\'s rate, by country. Whether catalog prices include tax is set by PRICES_INCLUDE_TAX. Cursor-paginated.',
  })
  @Paginated(TaxRateDto)
  @ApiProblemResponses(400, 429)
  list(@Query() query: PageQueryDto): Promise<Page<TaxRateDto>> {
    return this.pricing.listTaxRates(query);
  }

  @Get(':country')
  @ApiOperation({
    operationId: 'getTaxRate',
    summary: 'Get the tax rate of a country',
    description: 'The rate checkout applies to orders shipped to this country, in basis points; 404 when none is set (checkout then answers 422).',
  })
  @ApiOkResponse({ type: TaxRateDto, description: 'The rate.' })
  @ApiProblemResponses(400, 404, 429)
  get(@Param() params: CountryParamsDto): Promise<TaxRateDto> {
    return this.pricing.getTaxRate(params.country);
  }

  @Put(':country')
  @ApiOperation({
    operationId: 'setTaxRate',
    summary: 'Set the tax rate of a country',
    description: 'Creates the rate (201) or replaces it (200). Set 0 for a tax-free country: without a rate, checkout to it is refused (422).',
  })
  @ApiOkResponse({ type: TaxRateDto, description: 'The rate was replaced.' })
  @ApiCreatedResponse({ type: TaxRateDto, description: 'The rate was created.', headers: { Location: LOCATION('/v1/tax-rates/DE') } })
  @ApiProblemResponses(400, 429)
  async set(@Param() params: CountryParamsDto, @Body() body: SetTaxRateDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<TaxRateDto> {
    const { rate, created } = await this.pricing.setTaxRate(params.country, body.rateBps);
    void reply.status(created ? 201 : 200);
    if (created) void reply.header('location', `/v1/tax-rates/${rate.country}`);
    return rate;
  }

  @Delete(':country')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteTaxRate', summary: 'Delete the tax rate of a country', description: 'Checkout to that country is refused afterwards (422).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses(400, 404, 429)
  async remove(@Param() params: CountryParamsDto): Promise<void> {
    await this.pricing.deleteTaxRate(params.country);
  }
}
